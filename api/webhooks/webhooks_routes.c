#include "webhooks/webhooks_routes.h"

#include <stdlib.h>
#include <string.h>
#include <ulfius.h>

#include "app.h"
#include "events/events_service.h"
#include "http/auth.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "webhooks/webhooks_service.h"

#define EVENT_TYPE_SENTENCE                                                                        \
	"Must be * or an event type of the API (see the list in the documentation)."

static const char *const delivery_statuses[] = {"pending", "succeeded", "failed", NULL};
static const char *const delivery_filters[] = {"status", "event_id", NULL};

static bool check_event_type(const json_t *v, const char **code, const char **message)
{
	if (!strcmp(json_string_value(v), "*"))
		return true;
	/* The types the database writes (events/): one list for the feed and the webhooks. */
	return field_value_in(v, event_types, code, message, EVENT_TYPE_SENTENCE);
}

static const struct field_spec create_fields[] = {
        FIELD_URL("url", FIELD_REQUIRED),
        FIELD_STRINGS("event_types", FIELD_REQUIRED, 1, 50, check_event_type),
        FIELD_TEXT("description", 0, 0, 500),
        FIELDS_END,
};

static const struct field_spec update_fields[] = {
        FIELD_URL("url", 0),
        FIELD_STRINGS("event_types", 0, 1, 50, check_event_type),
        FIELD_TEXT("description", 0, 0, 500),
        FIELD_BOOLEAN("enabled", 0),
        FIELDS_END,
};

static const struct field_spec rotate_fields[] = {
        {.name = "overlap_seconds",
         .type = FIELD_INTEGER,
         .min = 0,
         .max = WEBHOOKS_OVERLAP_MAX_SECONDS},
        FIELDS_END,
};

/* Webhooks are an integration's settings: a staff admin's or an API key's, not a billing user's. */
static int require_admin_or_key(const struct http_ctx *ctx)
{
	return ctx->principal.kind == PRINCIPAL_API_KEY ? CS_OK : http_require_admin(ctx);
}

static int list_endpoints(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	rc = webhooks_endpoints_list(&json, ctx->app, ctx->principal.tenant_id, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int create_endpoint(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!http_validated_body(&body, ctx, create_fields, false))
		return CS_OK;
	rc = webhooks_endpoint_create(&json, ctx->app, ctx->principal.tenant_id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 201, json) : rc;
}

static int get_endpoint(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "webhook endpoint");
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	rc = webhooks_endpoint_get(&json, ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int update_endpoint(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "webhook endpoint");
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, update_fields, true))
		return CS_OK;
	rc = webhooks_endpoint_update(&json, ctx->app, ctx->principal.tenant_id, id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int delete_endpoint(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "webhook endpoint");
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	rc = webhooks_endpoint_delete(ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

/* The body is optional: without one the overlap is 24 hours. */
static int rotate_secret(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "webhook endpoint");
	long overlap = WEBHOOKS_OVERLAP_DEFAULT_SECONDS;
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	if (ctx->req->binary_body_length > 0) {
		if (!http_validated_body(&body, ctx, rotate_fields, false))
			return CS_OK;
		if (json_is_integer(json_object_get(body, "overlap_seconds")))
			overlap =
			        (long)json_integer_value(json_object_get(body, "overlap_seconds"));
		json_decref(body);
	}
	rc = webhooks_endpoint_rotate(&json, ctx->app, ctx->principal.tenant_id, id, overlap);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int list_deliveries(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "webhook endpoint");
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct webhooks_delivery_filter filter;
	struct list_params page;
	char *json = NULL;
	int rc;

	if ((rc = require_admin_or_key(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, delivery_filters);
	filter.status = http_query_enum(&errs, ctx, "status", delivery_statuses,
	                                "Must be pending, succeeded or failed.");
	filter.event_id = http_query_uuid(&errs, ctx, "event_id", "Use an event's id.");
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	rc = webhooks_deliveries_list(&json, ctx->app, ctx->principal.tenant_id, id, &filter,
	                              &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* The caller may act, and the path names an endpoint and one of its deliveries (their ids). */
static int delivery_path(struct http_ctx *ctx, const char **id, const char **delivery)
{
	int rc = require_admin_or_key(ctx);

	*id = *delivery = NULL;
	if (rc != CS_OK)
		return rc;
	if (!(*id = http_path_id(ctx, "id", "webhook endpoint")) ||
	    !(*delivery = http_path_id(ctx, "delivery_id", "webhook delivery")))
		return CS_ENOTFOUND;
	return CS_OK;
}

static int get_delivery(struct http_ctx *ctx)
{
	const char *id, *delivery;
	char *json = NULL;
	int rc;

	if ((rc = delivery_path(ctx, &id, &delivery)) != CS_OK)
		return rc;
	rc = webhooks_delivery_get(&json, ctx->app, ctx->principal.tenant_id, id, delivery);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int redeliver(struct http_ctx *ctx)
{
	const char *id, *delivery;
	char *json = NULL;
	int rc;

	if ((rc = delivery_path(ctx, &id, &delivery)) != CS_OK)
		return rc;
	rc = webhooks_delivery_redeliver(&json, ctx->app, ctx->principal.tenant_id, id, delivery);
	return rc == CS_OK ? http_reply_json_text(ctx, 202, json) : rc;
}

#define ENDPOINTS  "/v1/admin/webhook-endpoints"
#define ENDPOINT   ENDPOINTS "/:id"
#define DELIVERIES ENDPOINT "/deliveries"

static const struct route webhooks_routes[] = {
        {"GET", ENDPOINTS, AUTH_BACK_OFFICE, list_endpoints},
        {"POST", ENDPOINTS, AUTH_BACK_OFFICE, create_endpoint},
        {"GET", ENDPOINT, AUTH_BACK_OFFICE, get_endpoint},
        {"PATCH", ENDPOINT, AUTH_BACK_OFFICE, update_endpoint},
        {"DELETE", ENDPOINT, AUTH_BACK_OFFICE, delete_endpoint},
        {"POST", ENDPOINT "/rotate-secret", AUTH_BACK_OFFICE, rotate_secret},
        {"GET", DELIVERIES, AUTH_BACK_OFFICE, list_deliveries},
        {"GET", DELIVERIES "/:delivery_id", AUTH_BACK_OFFICE, get_delivery},
        {"POST", DELIVERIES "/:delivery_id/redeliver", AUTH_BACK_OFFICE, redeliver},
};

const struct route_table webhooks_route_table = ROUTE_TABLE("webhooks", webhooks_routes);
