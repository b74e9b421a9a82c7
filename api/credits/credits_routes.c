#include "credits/credits_routes.h"

#include "app.h"
#include "credits/credits_service.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"

static const struct field_spec create_fields[] = {
        {"reason", FIELD_STRING, FIELD_REQUIRED | FIELD_TRIM, 1, 500, 0, 0, field_check_plain_text,
         NULL},
        {"amount_cents", FIELD_INTEGER, FIELD_REQUIRED, 0, 0, 1, FIELD_CENTS_MAX, NULL, NULL},
        {"credit_date", FIELD_STRING, 0, 0, 0, 0, 0, field_check_date, NULL},
        FIELDS_END,
};

static const struct field_spec apply_fields[] = {
        {"invoice_id", FIELD_STRING, FIELD_REQUIRED, 0, 0, 0, 0, field_check_uuid, NULL},
        {"amount_cents", FIELD_INTEGER, 0, 0, 0, 1, FIELD_CENTS_MAX, NULL, NULL},
        FIELDS_END,
};

static const struct resource_kind credit_kind = {"credit", "/v1/admin/credits/"};

static int list_credits(struct http_ctx *ctx)
{
	return http_serve_customer_list(ctx, CURSOR_KEY_DATE, credits_list);
}

static int get_credit(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &credit_kind, credits_get);
}

static int create_credit(struct http_ctx *ctx)
{
	return http_serve_create(ctx, &credit_kind, create_fields, credits_create);
}

static int apply_credit(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "credit");
	json_t *body = NULL;
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, apply_fields, false))
		return CS_OK;
	int rc = credits_apply(&json, ctx->app->db, ctx->principal.tenant_id, id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route credits_routes[] = {
        {"GET", "/v1/admin/customers/:id/credits", AUTH_BACK_OFFICE, list_credits},
        {"POST", "/v1/admin/customers/:id/credits", AUTH_BACK_OFFICE, create_credit},
        {"GET", "/v1/admin/credits/:id", AUTH_BACK_OFFICE, get_credit},
        {"POST", "/v1/admin/credits/:id/apply", AUTH_BACK_OFFICE, apply_credit},
};

const struct route_table credits_route_table = ROUTE_TABLE("credits", credits_routes);
