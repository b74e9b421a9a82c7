#include "customers/customers_routes.h"

#include <stdlib.h>

#include "app.h"
#include "core/validate.h"
#include "customers/customers_service.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "portal_access/portal_access_routes.h"
#include "portal_access/portal_access_service.h"

static const char *const customer_kinds[] = {"residential", "commercial", "roll_off", NULL};
#define KIND_SENTENCE "Must be residential, commercial or roll_off."

static bool check_kind(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, customer_kinds, code, message, KIND_SENTENCE);
}

const struct field_spec customers_address_fields[] = {
        FIELD_TEXT("line1", FIELD_REQUIRED, 1, 200),
        FIELD_TEXT("line2", FIELD_NULLABLE, 0, 200),
        FIELD_TEXT("city", FIELD_NULLABLE, 0, 100),
        FIELD_TEXT("region", FIELD_NULLABLE, 0, 100),
        FIELD_TEXT("postal_code", FIELD_NULLABLE, 0, 20),
        FIELD_TEXT("country", FIELD_NULLABLE, 0, 60),
        FIELDS_END,
};

static const struct field_spec contact_fields[] = {
        FIELD_TEXT("name", FIELD_NULLABLE, 0, 200),
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELD_TEXT("phone", FIELD_NULLABLE, 0, 40),
        FIELDS_END,
};

/* Fields of both create and update; `required` marks what a new customer must have. */
#define CUSTOMER_FIELDS(required)                                                                  \
	FIELD_TEXT("account_number", required, 1, 40), FIELD_TEXT("name", required, 1, 200),       \
	        FIELD_FORMAT("kind", required, check_kind),                                        \
	        FIELD_TEXT("external_id", FIELD_NULLABLE, 1, 100), FIELD_BOOLEAN("routing", 0),    \
	        FIELD_TEXT("phone", FIELD_NULLABLE, 0, 40),                                        \
	        FIELD_OBJECT_OF("billing_address", FIELD_NULLABLE, customers_address_fields),      \
	        FIELD_ARRAY_OF("contacts", FIELD_NULLABLE, 0, 20, contact_fields)

static const struct field_spec create_fields[] = {CUSTOMER_FIELDS(FIELD_REQUIRED), FIELDS_END};
static const struct field_spec update_fields[] = {CUSTOMER_FIELDS(0), FIELDS_END};

static const char *const list_filters[] = {"q", "kind", NULL};

static const struct resource_kind customer_kind = {"customer", "/v1/admin/customers/"};

static int list_customers(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	struct customer_filter filter = {.search = http_query_param(ctx, "q")};
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_TEXT, list_filters);
	if (filter.search && (!*filter.search || validate_utf8_length(filter.search) > 100 ||
	                      !validate_plain_text(filter.search, false)))
		field_errors_add(&errs, "q", "invalid_parameter",
		                 "Must be 1 to 100 characters on one line.");
	filter.kind = http_query_enum(&errs, ctx, "kind", customer_kinds, KIND_SENTENCE);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = customers_list(&json, ctx->app->db, ctx->principal.tenant_id, &filter, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* The single read carries the current invitation link, which needs the server key: the portal
 * access module serves it. */
static int get_customer(struct http_ctx *ctx)
{
	return portal_access_serve_customer(ctx);
}

/* 201 for a new customer; 200 when an external_id matched one (an integrator's replayed sync). */
static int create_customer(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	bool created = false;

	if (!http_validated_body(&body, ctx, create_fields, false))
		return CS_OK;
	int rc = customers_upsert(&json, &created, ctx->app->db, ctx->principal.tenant_id, body);
	json_decref(body);
	if (rc == CS_OK)
		rc = portal_access_attach_invitation(&json, ctx->app, ctx->principal.tenant_id);
	if (rc != CS_OK) {
		free(json);
		return rc;
	}
	http_set_location(ctx, customer_kind.path_prefix, json);
	return http_reply_json_text(ctx, created ? 201 : 200, json);
}

/* As a read answers it: with the current invitation link (portal_access). */
static int update_and_attach(char **out, struct app *app, const char *tenant_id, const char *id,
                             const json_t *patch)
{
	int rc = customers_update(out, app->db, tenant_id, id, patch);

	if (rc == CS_OK)
		rc = portal_access_attach_invitation(out, app, tenant_id);
	if (rc != CS_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static int update_customer(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "customer");
	json_t *patch = NULL;
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&patch, ctx, update_fields, true))
		return CS_OK;
	int rc = update_and_attach(&json, ctx->app, ctx->principal.tenant_id, id, patch);
	json_decref(patch);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route customers_routes[] = {
        {"GET", "/v1/admin/customers", AUTH_BACK_OFFICE, list_customers},
        {"POST", "/v1/admin/customers", AUTH_BACK_OFFICE, create_customer},
        {"GET", "/v1/admin/customers/:id", AUTH_BACK_OFFICE, get_customer},
        {"PATCH", "/v1/admin/customers/:id", AUTH_BACK_OFFICE, update_customer},
};

const struct route_table customers_route_table = ROUTE_TABLE("customers", customers_routes);
