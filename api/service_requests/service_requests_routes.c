#include "service_requests/service_requests_routes.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "service_catalog/service_catalog_service.h"
#include "service_requests/service_requests_service.h"

/* The queue's `status` takes several at once. */
#define STATUS_LIST_SENTENCE                                                                       \
	"Must be one or several (comma-separated) of new, accepted, scheduled, declined, "         \
	"completed and cancelled."

static const char *const list_filters[] = {"status", "type", "from", "to", "customer_id", NULL};

static int list_requests(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct service_request_queue_filter filter;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, list_filters);
	filter.statuses = http_query_enum_list(&errs, ctx, "status", service_request_statuses,
	                                       STATUS_LIST_SENTENCE);
	filter.type = http_query_enum(&errs, ctx, "type", service_request_types,
	                              SERVICE_REQUEST_TYPES_SENTENCE);
	http_query_date_range(&errs, ctx, &filter.from, &filter.to);
	filter.customer_id = http_query_uuid(&errs, ctx, "customer_id", "Use a customer's id.");
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = service_requests_list(&json, ctx->app->db, ctx->principal.tenant_id, &filter,
	                               &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_request(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "service request");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = service_requests_get(&json, ctx->app->db, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct field_spec schedule_fields[] = {
        FIELD_DATE("date", FIELD_REQUIRED),
        FIELDS_END,
};

static const struct field_spec decline_fields[] = {
        FIELD_TEXT_CHECKED("reason", FIELD_REQUIRED, 1, 1000, field_check_plain_text),
        FIELDS_END,
};

/*
 * A refused transition answers the request's current status as data too (`current_status`), not
 * only in its sentence: SQL names it where a 422 names its field (a 409 has none). The one problem
 * this module writes itself; every other error goes through the dispatcher.
 */
static int reply_status_conflict(struct http_ctx *ctx)
{
	const struct cs_error *e = cs_error_last();
	json_t *problem = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type",
	                            "/problems/service_request_status_conflict", "title",
	                            "Conflict", "status", 409, "detail", e->detail, "code", e->code,
	                            "current_status", e->field);
	char *text = problem ? json_dumps(problem, JSON_COMPACT) : NULL;

	json_decref(problem);
	if (!text)
		return CS_ENOMEM;
	int rc = http_reply_answer(ctx, 409, text);
	free(text);
	return rc;
}

static bool is_status_conflict(int rc)
{
	const struct cs_error *e = cs_error_last();

	return rc == CS_ECONFLICT && e->status == rc && e->code && e->detail && e->field &&
	       !strcmp(e->code, "service_request_status_conflict");
}

/* Run `action` on the request in the path; `spec` (NULL for none) is the body it requires. */
static int act(struct http_ctx *ctx, enum service_request_action action,
               const struct field_spec *spec)
{
	const char *id = http_path_id(ctx, "id", "service request");
	json_t *body = NULL;
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (spec && !http_validated_body(&body, ctx, spec, false))
		return CS_OK;
	int rc = service_requests_act(&json, ctx->app, &ctx->principal, id, action, body);
	json_decref(body);
	if (is_status_conflict(rc))
		return reply_status_conflict(ctx);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int accept_request(struct http_ctx *ctx)
{
	return act(ctx, SERVICE_REQUEST_ACCEPT, NULL);
}

static int schedule_request(struct http_ctx *ctx)
{
	return act(ctx, SERVICE_REQUEST_SCHEDULE, schedule_fields);
}

static int decline_request(struct http_ctx *ctx)
{
	return act(ctx, SERVICE_REQUEST_DECLINE, decline_fields);
}

static int complete_request(struct http_ctx *ctx)
{
	return act(ctx, SERVICE_REQUEST_COMPLETE, NULL);
}

static const struct route service_requests_routes[] = {
        {"GET", "/v1/admin/service-requests", AUTH_BACK_OFFICE, list_requests},
        {"GET", "/v1/admin/service-requests/:id", AUTH_BACK_OFFICE, get_request},
        {"POST", "/v1/admin/service-requests/:id/accept", AUTH_BACK_OFFICE, accept_request},
        {"POST", "/v1/admin/service-requests/:id/schedule", AUTH_BACK_OFFICE, schedule_request},
        {"POST", "/v1/admin/service-requests/:id/decline", AUTH_BACK_OFFICE, decline_request},
        {"POST", "/v1/admin/service-requests/:id/complete", AUTH_BACK_OFFICE, complete_request},
};

const struct route_table service_requests_route_table =
        ROUTE_TABLE("service_requests", service_requests_routes);
