#include "signup/signup_routes.h"

#include "core/validate.h"
#include "http/fields.h"
#include "http/link_attempts.h"
#include "http/middleware.h"
#include "http/reply.h"
#include "signup/signup_service.h"

/* Creating a login: the email (trimmed, lower-cased), a name and a new password. */
static const struct field_spec login_fields[] = {
        {"email", FIELD_STRING, FIELD_REQUIRED, 0, 0, 0, 0, field_check_email, NULL},
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        {"password", FIELD_STRING, FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX, 0,
         0, NULL, NULL},
        FIELDS_END,
};

static const struct field_spec request_fields[] = {
        FIELD_TEXT("account_number", FIELD_REQUIRED, 1, 40),
        FIELD_TEXT("invoice_number", FIELD_REQUIRED, 1, 40),
        {"email", FIELD_STRING, FIELD_REQUIRED, 0, 0, 0, 0, field_check_email, NULL},
        FIELDS_END,
};

static const struct field_spec verify_fields[] = {
        /* Only bounded: a malformed token is simply not found. */
        {"token", FIELD_STRING, FIELD_REQUIRED, 1, 256, 0, 0, NULL, NULL},
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        {"password", FIELD_STRING, FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX, 0,
         0, NULL, NULL},
        FIELDS_END,
};

static const char *member(const json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

/* These answers carry personal data or tokens: never cache them. */
static int reply_private(struct http_ctx *ctx, int status, char *json)
{
	http_set_header(ctx, "Cache-Control", "no-store");
	return http_reply_json_text(ctx, status, json);
}

static int show_invitation(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = signup_invitation_show(&json, ctx->app, http_path_param(ctx, "token"));

	return rc == CS_OK ? reply_private(ctx, 200, json) : rc;
}

static int show_pay_link(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = signup_pay_link_show(&json, ctx->app, http_path_param(ctx, "token"));

	return rc == CS_OK ? reply_private(ctx, 200, json) : rc;
}

typedef int (*link_signup_fn)(struct signup_result *out, struct app *app, const char *token,
                              const struct signup_input *in, const char *client_address);

/* POST …/{token}/accept and …/{token}/signup: a Session (200) or a verification email (202). */
static int sign_up_with_link(struct http_ctx *ctx, link_signup_fn sign_up)
{
	struct signup_result result = {0};
	json_t *body = NULL;
	char address[64];

	if (!http_validated_body(&body, ctx, login_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct signup_input in = {
	        .email = member(body, "email"),
	        .full_name = member(body, "full_name"),
	        .password = member(body, "password"),
	};
	struct link_attempt attempt;
	int rc = link_attempt_begin(&attempt, ctx);
	if (rc == CS_OK) {
		rc = sign_up(&result, ctx->app, http_path_param(ctx, "token"), &in, address);
		link_attempt_end(&attempt, rc);
	}
	json_decref(body);
	if (rc != CS_OK) {
		signup_result_release(&result);
		return rc;
	}
	return reply_private(ctx, result.status, result.json);
}

static int accept_invitation(struct http_ctx *ctx)
{
	return sign_up_with_link(ctx, signup_invitation_accept);
}

static int pay_link_signup(struct http_ctx *ctx)
{
	return sign_up_with_link(ctx, signup_pay_link_signup);
}

static int request_signup(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char address[64], *json = NULL;

	if (!http_validated_body(&body, ctx, request_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct signup_request req = {
	        .account_number = member(body, "account_number"),
	        .invoice_number = member(body, "invoice_number"),
	        .email = member(body, "email"),
	};
	int rc = signup_request_verification(&json, ctx->app, http_path_param(ctx, "tenant"), &req,
	                                     address);
	json_decref(body);
	return rc == CS_OK ? reply_private(ctx, 202, json) : rc;
}

static int verify_email(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char address[64], *json = NULL;

	if (!http_validated_body(&body, ctx, verify_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct link_attempt attempt;
	int rc = link_attempt_begin(&attempt, ctx);
	if (rc == CS_OK) {
		rc = signup_verify_email(&json, ctx->app, member(body, "token"),
		                         member(body, "full_name"), member(body, "password"),
		                         address);
		link_attempt_end(&attempt, rc);
	}
	json_decref(body);
	return rc == CS_OK ? reply_private(ctx, 200, json) : rc;
}

static const struct route signup_routes[] = {
        {"GET", "/v1/invitations/:token", AUTH_PUBLIC, show_invitation},
        {"POST", "/v1/invitations/:token/accept", AUTH_PUBLIC, accept_invitation},
        {"GET", "/v1/pay-links/:token", AUTH_PUBLIC, show_pay_link},
        {"POST", "/v1/pay-links/:token/signup", AUTH_PUBLIC, pay_link_signup},
        {"POST", "/v1/tenants/:tenant/signup", AUTH_PUBLIC, request_signup},
        {"POST", "/v1/auth/verify-email", AUTH_PUBLIC, verify_email},
};

const struct route_table signup_route_table = ROUTE_TABLE("signup", signup_routes);
