#include "api_keys/api_keys_routes.h"

#include "api_keys/api_keys_service.h"
#include "app.h"
#include "http/auth.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"

static const struct field_spec create_fields[] = {
        FIELD_TEXT("name", FIELD_REQUIRED, 1, 100),
        FIELDS_END,
};

static int list_keys(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	rc = api_keys_list(&json, ctx->app->db, ctx->principal.tenant_id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int create_key(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (!http_validated_body(&body, ctx, create_fields, false))
		return CS_OK;
	rc = api_keys_create(&json, ctx->app->db, ctx->principal.tenant_id, ctx->principal.user_id,
	                     json_string_value(json_object_get(body, "name")));
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 201, json) : rc;
}

static int revoke_key(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "API key");
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (!id)
		return CS_ENOTFOUND;
	if ((rc = api_keys_revoke(ctx->app->db, ctx->principal.tenant_id, id)) != CS_OK)
		return rc;
	/* This process stops accepting the key at once; others within the cache lifetime. */
	http_auth_cache_clear();
	return http_reply_no_content(ctx);
}

static const struct route api_keys_routes[] = {
        {"GET", "/v1/admin/api-keys", AUTH_STAFF, list_keys},
        {"POST", "/v1/admin/api-keys", AUTH_STAFF, create_key},
        {"DELETE", "/v1/admin/api-keys/:id", AUTH_STAFF, revoke_key},
};

const struct route_table api_keys_route_table = ROUTE_TABLE("api_keys", api_keys_routes);
