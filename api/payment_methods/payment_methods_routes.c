#include "payment_methods/payment_methods_routes.h"

#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "payment_methods/payment_methods_service.h"

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

/* A processor token is opaque: only its shape here, the processor judges it. */
static const struct field_spec add_fields[] = {
        FIELD_VERBATIM("payment_token", FIELD_REQUIRED, 1, 255, field_check_plain_line),
        FIELD_BOOLEAN("default", 0),
        FIELDS_END,
};

static int list_methods(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = payment_methods_list(&json, ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx));

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int add_method(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, add_fields, false))
		return CS_OK;
	int rc = payment_methods_add(&json, ctx->app, &ctx->principal,
	                             json_string_value(json_object_get(body, "payment_token")),
	                             json_is_true(json_object_get(body, "default")));
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 201, json) : rc;
}

static int remove_method(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "payment method");

	if (!id)
		return CS_ENOTFOUND;
	int rc = payment_methods_remove(ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx), id);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static int make_default(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "payment method");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = payment_methods_set_default(&json, ctx->app->db, ctx->principal.tenant_id,
	                                     ACCOUNT(ctx), id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route payment_methods_routes[] = {
        {"GET", "/v1/portal/payment-methods", AUTH_PORTAL_ACCOUNT, list_methods},
        {"POST", "/v1/portal/payment-methods", AUTH_PORTAL_ACCOUNT, add_method},
        {"DELETE", "/v1/portal/payment-methods/:id", AUTH_PORTAL_ACCOUNT, remove_method},
        {"POST", "/v1/portal/payment-methods/:id/default", AUTH_PORTAL_ACCOUNT, make_default},
};

const struct route_table payment_methods_route_table =
        ROUTE_TABLE("payment_methods", payment_methods_routes);
