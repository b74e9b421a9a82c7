#include "signup/signup_routes.h"

#include "core/validate.h"
#include "http/auth.h"
#include "http/fields.h"
#include "http/link_attempts.h"
#include "http/middleware.h"
#include "http/reply.h"
#include "signup/signup_service.h"

/* Creating a login: the email (trimmed, lower-cased), a name and a new password. */
static const struct field_spec login_fields[] = {
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELD_TEXT("full_name", FIELD_REQUIRED, 1, 200),
        FIELD_OPAQUE("password", FIELD_REQUIRED, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
        FIELDS_END,
};

static const struct field_spec request_fields[] = {
        FIELD_TEXT("account_number", FIELD_REQUIRED, 1, 40),
        FIELD_TEXT("invoice_number", FIELD_REQUIRED, 1, 40),
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELDS_END,
};

/* The name and password are needed only to create a login: an address that has one may follow
 * its link to link the account alone (rule 6a). */
static const struct field_spec verify_fields[] = {
        /* Only bounded: a malformed token is simply not found. */
        FIELD_OPAQUE("token", FIELD_REQUIRED, 1, 256),
        FIELD_TEXT("full_name", 0, 1, 200),
        FIELD_OPAQUE("password", 0, VALIDATE_PASSWORD_MIN, VALIDATE_PASSWORD_MAX),
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

/*
 * The portal user of the request's bearer token, or NULL. These routes are public: a missing,
 * expired or foreign token is no error, the person then proves the login by email instead.
 */
static const char *signed_in_user(struct http_ctx *ctx)
{
	if (!http_header(ctx, "Authorization"))
		return NULL;
	if (http_authenticate(ctx, AUTH_PORTAL) != CS_OK ||
	    ctx->principal.kind != PRINCIPAL_PORTAL) {
		cs_error_clear();
		return NULL;
	}
	return ctx->principal.user_id;
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
	        .signed_in_user = signed_in_user(ctx),
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

/* A new login's verification link without the name or password it needs: 422 naming them. */
static int reply_details_required(struct http_ctx *ctx, const json_t *body)
{
	struct field_errors errs = FIELD_ERRORS_INIT;

	if (!json_object_get(body, "full_name"))
		field_errors_add(&errs, "full_name", "required",
		                 "A name is required to create your login.");
	if (!json_object_get(body, "password"))
		field_errors_add(&errs, "password", "required",
		                 "A password is required to create your login.");
	http_reply_field_errors(ctx, &errs);
	return CS_OK;
}

static int verify_email(struct http_ctx *ctx)
{
	struct signup_result result = {0};
	json_t *body = NULL;
	char address[64];

	if (!http_validated_body(&body, ctx, verify_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	struct link_attempt attempt;
	int rc = link_attempt_begin(&attempt, ctx);
	if (rc == CS_OK) {
		rc = signup_verify_email(&result, ctx->app, member(body, "token"),
		                         member(body, "full_name"), member(body, "password"),
		                         address);
		link_attempt_end(&attempt, rc);
	}
	if (rc == CS_OK && result.status == 422)
		rc = reply_details_required(ctx, body);
	else if (rc == CS_OK)
		rc = reply_private(ctx, result.status, result.json);
	else
		signup_result_release(&result);
	json_decref(body);
	return rc;
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
