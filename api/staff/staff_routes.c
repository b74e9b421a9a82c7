#include "staff/staff_routes.h"

#include <string.h>

#include "core/validate.h"
#include "http/auth.h"
#include "http/fields.h"
#include "http/middleware.h"
#include "http/params.h"
#include "http/reply.h"
#include "staff/staff_admin.h"
#include "staff/staff_service.h"

static bool check_role(const json_t *v, const char **code, const char **message)
{
	const char *s = json_string_value(v);

	if (!strcmp(s, "admin") || !strcmp(s, "billing"))
		return true;
	*code = "invalid_value";
	*message = "Must be admin or billing.";
	return false;
}

static const struct field_spec create_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        FIELD_OPAQUE("password", FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
        FIELD_FORMAT("role", 0, check_role),
        FIELDS_END,
};

/* An admin chooses the role on purpose: it decides who may manage staff and API keys. */
static const struct field_spec admin_create_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        FIELD_OPAQUE("password", FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
        FIELD_FORMAT("role", FIELD_REQUIRED, check_role),
        FIELDS_END,
};

static const struct field_spec update_fields[] = {
        FIELD_BOOLEAN("disabled", FIELD_REQUIRED),
        FIELDS_END,
};

static const struct field_spec login_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        /* Only bounded: a login must not reveal the password rules, and argon2 input stays small.
         */
        FIELD_OPAQUE("password", FIELD_REQUIRED, 1, VALIDATE_PASSWORD_MAX),
        FIELDS_END,
};

static int create_staff(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	/* The body comes back normalised: email lower-cased, full name trimmed. */
	if (!http_validated_body(&body, ctx, create_fields, false))
		return CS_OK;
	const char *role = json_string_value(json_object_get(body, "role"));
	struct staff_new input = {
	        .email = json_string_value(json_object_get(body, "email")),
	        .full_name = json_string_value(json_object_get(body, "full_name")),
	        .password = json_string_value(json_object_get(body, "password")),
	        .role = role ? role : "admin",
	};
	int rc = staff_create(&json, ctx->app->db, http_path_param(ctx, "slug"), &input);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 201, json) : rc;
}

static int login(struct http_ctx *ctx)
{
	char address[64];
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, login_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	int rc = staff_login(&json, ctx->app, http_path_param(ctx, "tenant"),
	                     json_string_value(json_object_get(body, "email")),
	                     json_string_value(json_object_get(body, "password")), address);
	json_decref(body);
	/* The answer carries a token: never cache it. */
	http_set_header(ctx, "Cache-Control", "no-store");
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int list_staff(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	rc = staff_admin_list(&json, ctx->app->db, ctx->principal.tenant_id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int read_staff(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	const char *id = http_path_id(ctx, "id", "staff user");
	if (!id)
		return CS_ENOTFOUND;
	rc = staff_admin_get(&json, ctx->app->db, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int add_staff(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (!http_validated_body(&body, ctx, admin_create_fields, false))
		return CS_OK;
	struct staff_new input = {
	        .email = json_string_value(json_object_get(body, "email")),
	        .full_name = json_string_value(json_object_get(body, "full_name")),
	        .password = json_string_value(json_object_get(body, "password")),
	        .role = json_string_value(json_object_get(body, "role")),
	};
	rc = staff_admin_create(&json, ctx->app->db, ctx->principal.tenant_id, &input);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 201, json) : rc;
}

static int update_staff(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	const char *id = http_path_id(ctx, "id", "staff user");
	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, update_fields, false))
		return CS_OK;
	rc = staff_admin_set_disabled(&json, ctx->app->db, ctx->principal.tenant_id,
	                              ctx->principal.user_id, id,
	                              json_is_true(json_object_get(body, "disabled")));
	json_decref(body);
	if (rc != CS_OK)
		return rc;
	/* This process refuses the user's tokens at once; others hear it through NOTIFY. */
	http_auth_cache_clear();
	return http_reply_json_text(ctx, 200, json);
}

static const struct route staff_routes[] = {
        {"POST", "/v1/platform/tenants/:slug/staff", AUTH_OPERATOR, create_staff},
        {"POST", "/v1/tenants/:tenant/staff/login", AUTH_PUBLIC, login},
        {"GET", "/v1/admin/staff-users", AUTH_STAFF, list_staff},
        {"POST", "/v1/admin/staff-users", AUTH_STAFF, add_staff},
        {"GET", "/v1/admin/staff-users/:id", AUTH_STAFF, read_staff},
        {"PATCH", "/v1/admin/staff-users/:id", AUTH_STAFF, update_staff},
};

const struct route_table staff_route_table = ROUTE_TABLE("staff", staff_routes);
