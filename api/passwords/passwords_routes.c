#include "passwords/passwords_routes.h"

#include "core/validate.h"
#include "http/fields.h"
#include "http/link_attempts.h"
#include "http/params.h"
#include "http/reply.h"
#include "passwords/passwords_service.h"

static const struct field_spec forgot_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELDS_END,
};

static const struct field_spec reset_fields[] = {
        /* Only bounded: a malformed token is simply not found. */
        FIELD_OPAQUE("token", FIELD_REQUIRED, 1, 256),
        FIELD_OPAQUE("password", FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
        FIELDS_END,
};

/* The one answer of a forgot-password request, whether or not the email has a login. */
#define FORGOT_MESSAGE                                                                             \
	"If this email address has a login, we have sent it a link to reset the password."

static int forgot_password(struct http_ctx *ctx)
{
	json_t *body = NULL;

	if (!http_validated_body(&body, ctx, forgot_fields, false))
		return CS_OK;
	int rc = passwords_forgot(ctx->app, http_path_param(ctx, "tenant"),
	                          json_string_value(json_object_get(body, "email")));
	json_decref(body);
	if (rc != CS_OK)
		return rc;
	return http_reply_json(ctx, 202, json_pack("{s:s}", "message", FORGOT_MESSAGE));
}

static int reset_password(struct http_ctx *ctx)
{
	struct link_attempt attempt;
	json_t *body = NULL;
	int rc;

	if (!http_validated_body(&body, ctx, reset_fields, false))
		return CS_OK;
	if ((rc = link_attempt_begin(&attempt, ctx)) == CS_OK) {
		rc = passwords_reset(ctx->app, json_string_value(json_object_get(body, "token")),
		                     json_string_value(json_object_get(body, "password")));
		link_attempt_end(&attempt, rc);
	}
	json_decref(body);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static int staff_reset(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "customer");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = passwords_staff_reset(&json, ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 202, json) : rc;
}

static const struct route passwords_routes[] = {
        {"POST", "/v1/tenants/:tenant/auth/forgot-password", AUTH_PUBLIC, forgot_password},
        {"POST", "/v1/auth/reset-password", AUTH_PUBLIC, reset_password},
        {"POST", "/v1/admin/customers/:id/password-reset", AUTH_BACK_OFFICE, staff_reset},
};

const struct route_table passwords_route_table = ROUTE_TABLE("passwords", passwords_routes);
