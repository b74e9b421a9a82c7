#include "google_login/google_login_routes.h"

#include <stdlib.h>

#include "google_login/google_login_service.h"
#include "http/fields.h"
#include "http/middleware.h"
#include "http/reply.h"

/* Link tokens are only bounded here: a malformed one is simply not found. */
static const struct field_spec start_fields[] = {
        FIELD_OPAQUE("redirect_uri", FIELD_REQUIRED, 1, 2048),
        FIELD_OPAQUE("invitation_token", FIELD_NULLABLE, 1, 256),
        FIELD_OPAQUE("pay_link_token", FIELD_NULLABLE, 1, 256),
        FIELDS_END,
};

static const struct field_spec callback_fields[] = {
        FIELD_OPAQUE("code", FIELD_REQUIRED, 1, 2048),
        FIELD_OPAQUE("state", FIELD_REQUIRED, 1, 256),
        /* RFC 9207: the provider's issuer in its redirect, passed on by the portal. */
        FIELD_OPAQUE("iss", 0, 1, 1024),
        FIELDS_END,
};

static const char *member(const json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

/* Both answers carry secrets (state, tokens): never cache them. */
static int reply_private(struct http_ctx *ctx, int rc, char *json)
{
	http_set_header(ctx, "Cache-Control", "no-store");
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int start(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, start_fields, false))
		return CS_OK;
	struct google_login_start_request req = {
	        .tenant_slug = http_path_param(ctx, "tenant"),
	        .redirect_uri = member(body, "redirect_uri"),
	        .invitation_token = member(body, "invitation_token"),
	        .pay_link_token = member(body, "pay_link_token"),
	};
	int rc = google_login_start(&json, ctx->app, &req);
	json_decref(body);
	return reply_private(ctx, rc, json);
}

static int callback(struct http_ctx *ctx)
{
	char address[64];
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, callback_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct google_login_callback_request req = {
	        .tenant_slug = http_path_param(ctx, "tenant"),
	        .code = member(body, "code"),
	        .state = member(body, "state"),
	        .iss = member(body, "iss"),
	        .client_address = address,
	};
	int rc = google_login_callback(&json, ctx->app, &req);
	json_decref(body);
	return reply_private(ctx, rc, json);
}

static const struct route google_login_routes[] = {
        {"POST", "/v1/tenants/:tenant/auth/google", AUTH_PUBLIC, start},
        {"POST", "/v1/tenants/:tenant/auth/google/callback", AUTH_PUBLIC, callback},
};

const struct route_table google_login_route_table =
        ROUTE_TABLE("google_login", google_login_routes);
