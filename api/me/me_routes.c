#include "me/me_routes.h"

#include "core/validate.h"
#include "http/fields.h"
#include "http/reply.h"
#include "me/me_service.h"

static const struct field_spec update_fields[] = {
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        FIELDS_END,
};

static const struct field_spec password_fields[] = {
        FIELD_OPAQUE("current_password", FIELD_REQUIRED, 1, VALIDATE_PASSWORD_MAX),
        FIELD_OPAQUE("new_password", FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
        FIELDS_END,
};

static int read_me(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = me_read(&json, ctx->app->db, &ctx->principal);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int update_me(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, update_fields, false))
		return CS_OK;
	int rc = me_update(&json, ctx->app->db, &ctx->principal,
	                   json_string_value(json_object_get(body, "full_name")));
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int change_password(struct http_ctx *ctx)
{
	json_t *body = NULL;

	if (!http_validated_body(&body, ctx, password_fields, false))
		return CS_OK;
	int rc = me_change_password(ctx->app, &ctx->principal,
	                            json_string_value(json_object_get(body, "current_password")),
	                            json_string_value(json_object_get(body, "new_password")));
	json_decref(body);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static const struct route me_routes[] = {
        {"GET", "/v1/me", AUTH_PORTAL, read_me},
        {"PATCH", "/v1/me", AUTH_PORTAL, update_me},
        {"POST", "/v1/me/password", AUTH_PORTAL, change_password},
};

const struct route_table me_route_table = ROUTE_TABLE("me", me_routes);
