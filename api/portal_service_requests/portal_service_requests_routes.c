#include "portal_service_requests/portal_service_requests_routes.h"

#include <string.h>

#include "app.h"
#include "http/body.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/params.h"
#include "http/reads.h"
#include "http/reply.h"
#include "portal/portal_serve.h"
#include "portal_service_requests/portal_service_requests_service.h"
#include "service_catalog/service_catalog_service.h"

static bool check_type(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, service_request_types, code, message,
	                      SERVICE_REQUEST_TYPES_SENTENCE);
}

/* What every request carries. */
#define REQUEST_COMMON                                                                             \
	FIELD_FORMAT("type", FIELD_REQUIRED, check_type),                                          \
	        FIELD_UUID("location_id", FIELD_REQUIRED), FIELD_DATE("date", FIELD_REQUIRED),     \
	        FIELD_TEXT_CHECKED("note", FIELD_NULLABLE, 0, 1000, field_check_plain_text)

static const struct field_spec delivery_fields[] = {
        REQUEST_COMMON,
        FIELD_TEXT("size", FIELD_REQUIRED, 1, 32),
        FIELDS_END,
};

/* An extra pickup or a missed one: of a routed service at the location. */
static const struct field_spec pickup_fields[] = {
        REQUEST_COMMON,
        FIELD_UUID("service_id", FIELD_REQUIRED),
        FIELDS_END,
};

static const struct field_spec hold_fields[] = {
        REQUEST_COMMON,
        FIELD_DATE("end_date", FIELD_REQUIRED),
        FIELDS_END,
};

/* A swap or removal: of a roll-off delivered at the location (its order). */
static const struct field_spec roll_off_fields[] = {
        REQUEST_COMMON,
        FIELD_UUID("order_id", FIELD_REQUIRED),
        FIELDS_END,
};

/* Without a valid type, every member any type takes is accepted so the type's error shows. */
static const struct field_spec any_fields[] = {
        REQUEST_COMMON,
        FIELD_TEXT("size", 0, 1, 32),
        FIELD_UUID("service_id", 0),
        FIELD_DATE("end_date", 0),
        FIELD_UUID("order_id", 0),
        FIELDS_END,
};

/* The members a request of the body's type takes (service_request_types order). */
static const struct field_spec *const type_specs[] = {
        delivery_fields, pickup_fields,   pickup_fields,
        hold_fields,     roll_off_fields, roll_off_fields,
};

static const struct field_spec *spec_for(const json_t *body)
{
	const char *type = json_string_value(json_object_get(body, "type"));

	for (size_t i = 0; type && service_request_types[i]; i++)
		if (!strcmp(type, service_request_types[i]))
			return type_specs[i];
	return any_fields;
}

static int create_request(struct http_ctx *ctx)
{
	struct idempotency idem;
	json_t *body = NULL;
	char *json = NULL;
	bool replayed = false;
	int rc = CS_OK;

	if (!idempotency_read_key(&idem, ctx) || http_json_body(&body, ctx) != CS_OK)
		return CS_OK;
	const struct field_spec *spec = spec_for(body);
	if (!http_validate_object(ctx, body, spec, false)) {
		json_decref(body);
		return CS_OK;
	}
	fields_normalise(body, spec);
	if ((rc = idempotency_claim(&idem, &replayed, ctx)) == CS_OK && !replayed) {
		rc = portal_service_requests_create(&json, ctx->app, &ctx->principal, body,
		                                    idem.claim_id);
		if ((rc = idempotency_finish(&idem, ctx, rc)) == CS_OK)
			rc = http_reply_json_text(ctx, 201, json);
	}
	json_decref(body);
	return rc;
}

static const char *const list_filters[] = {"status", "type", NULL};

static int list_requests(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct service_request_filter filter;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, list_filters);
	filter.status = http_query_enum(&errs, ctx, "status", service_request_statuses,
	                                SERVICE_REQUEST_STATUSES_SENTENCE);
	filter.type = http_query_enum(&errs, ctx, "type", service_request_types,
	                              SERVICE_REQUEST_TYPES_SENTENCE);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = portal_service_requests_list(&json, http_db_for_read(ctx), &ctx->principal,
	                                      &filter, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_request(struct http_ctx *ctx)
{
	return portal_serve_read(ctx, "service request", portal_service_requests_get);
}

static int cancel_request(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "service request");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_service_requests_cancel(&json, ctx->app->db, &ctx->principal, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route portal_service_requests_routes[] = {
        {"GET", "/v1/portal/service-requests", AUTH_PORTAL_ACCOUNT, list_requests},
        {"POST", "/v1/portal/service-requests", AUTH_PORTAL_ACCOUNT, create_request},
        {"GET", "/v1/portal/service-requests/:id", AUTH_PORTAL_ACCOUNT, get_request},
        {"POST", "/v1/portal/service-requests/:id/cancel", AUTH_PORTAL_ACCOUNT, cancel_request},
};

const struct route_table portal_service_requests_route_table =
        ROUTE_TABLE("portal_service_requests", portal_service_requests_routes);
