#include "portal_auth/portal_auth_routes.h"

#include <stdlib.h>

#include "core/validate.h"
#include "http/fields.h"
#include "http/middleware.h"
#include "http/reply.h"
#include "portal_auth/portal_login.h"
#include "portal_auth/portal_sessions.h"
#include "staff/staff_service.h"

static const struct field_spec login_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        /* Only bounded: a login must not reveal the password rules, and argon2 input stays small.
         */
        FIELD_OPAQUE("password", FIELD_REQUIRED, 1, VALIDATE_PASSWORD_MAX),
        FIELD_UUID("account_id", FIELD_NULLABLE),
        FIELDS_END,
};

static const struct field_spec refresh_fields[] = {
        FIELD_OPAQUE("refresh_token", FIELD_REQUIRED, 1, 200),
        FIELDS_END,
};

static const struct field_spec select_fields[] = {
        FIELD_UUID("account_id", FIELD_REQUIRED),
        FIELDS_END,
};

static const char *body_string(const json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

/* Every answer here carries tokens: never cache it. */
static int reply_session(struct http_ctx *ctx, int rc, char *json)
{
	http_set_header(ctx, "Cache-Control", "no-store");
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int login(struct http_ctx *ctx)
{
	char address[64];
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, login_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct portal_login_request req = {
	        .tenant_slug = http_path_param(ctx, "tenant"),
	        .email = body_string(body, "email"),
	        .password = body_string(body, "password"),
	        .account_id = body_string(body, "account_id"),
	        .client_address = address,
	};
	int rc = portal_login(&json, ctx->app, &req);
	json_decref(body);
	return reply_session(ctx, rc, json);
}

static int refresh(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, refresh_fields, false))
		return CS_OK;
	int rc = portal_session_refresh(&json, ctx->app, body_string(body, "refresh_token"));
	json_decref(body);
	return reply_session(ctx, rc, json);
}

/* Staff and portal users sign out the same way: their session ends on every process at once. */
static int logout(struct http_ctx *ctx)
{
	int rc = ctx->principal.kind == PRINCIPAL_STAFF
	                 ? staff_session_end(ctx->app->db, ctx->principal.session_id,
	                                     ctx->principal.user_id)
	                 : portal_session_end(ctx->app, ctx->principal.session_id);

	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static int select_account(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, select_fields, false))
		return CS_OK;
	int rc = portal_session_select_account(&json, ctx->app, ctx->principal.session_id,
	                                       body_string(body, "account_id"));
	json_decref(body);
	return reply_session(ctx, rc, json);
}

static const struct route portal_auth_routes[] = {
        {"POST", "/v1/tenants/:tenant/auth/login", AUTH_PUBLIC, login},
        {"POST", "/v1/auth/refresh", AUTH_PUBLIC, refresh},
        {"POST", "/v1/auth/logout", AUTH_SESSION, logout},
        {"POST", "/v1/session/account", AUTH_PORTAL, select_account},
};

const struct route_table portal_auth_route_table = ROUTE_TABLE("portal_auth", portal_auth_routes);
