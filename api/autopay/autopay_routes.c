#include "autopay/autopay_routes.h"

#include "autopay/autopay_service.h"
#include "http/fields.h"
#include "http/reply.h"

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

static const struct field_spec put_fields[] = {
        FIELD_BOOLEAN("enabled", FIELD_REQUIRED),
        FIELD_UUID("payment_method_id", 0),
        FIELDS_END,
};

static int get_autopay(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = autopay_get(&json, ctx->app, ctx->principal.tenant_id, ACCOUNT(ctx));

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int put_autopay(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, put_fields, false))
		return CS_OK;
	int rc = autopay_put(&json, ctx->app, ctx->principal.tenant_id, ACCOUNT(ctx), body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route autopay_routes[] = {
        {"GET", "/v1/portal/autopay", AUTH_PORTAL_ACCOUNT, get_autopay},
        {"PUT", "/v1/portal/autopay", AUTH_PORTAL_ACCOUNT, put_autopay},
};

const struct route_table autopay_route_table = ROUTE_TABLE("autopay", autopay_routes);
