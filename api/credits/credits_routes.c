#include "credits/credits_routes.h"

#include "app.h"
#include "credits/credits_service.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"

static const struct field_spec create_fields[] = {
        FIELD_TEXT_CHECKED("reason", FIELD_REQUIRED, 1, 500, field_check_plain_text),
        FIELD_CENTS("amount_cents", FIELD_REQUIRED, 1),
        FIELD_DATE("credit_date", 0),
        FIELDS_END,
};

static const struct field_spec apply_fields[] = {
        FIELD_UUID("invoice_id", FIELD_REQUIRED),
        FIELD_CENTS("amount_cents", 0, 1),
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
