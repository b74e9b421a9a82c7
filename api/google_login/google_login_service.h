/*
 * Sign in with Google (OpenID Connect authorization-code flow with PKCE; API.md rules 5b and 6):
 * starting a sign-in and finishing it at the callback with a Session. Works with any OIDC
 * provider configured through CURBSIDE_OIDC_*.
 */
#ifndef CURBSIDE_GOOGLE_LOGIN_SERVICE_H
#define CURBSIDE_GOOGLE_LOGIN_SERVICE_H

#include "app.h"
#include "core/error.h"

/* A sign-in to start; strings validated for type and length by the caller. */
struct google_login_start_request {
	const char *tenant_slug;
	const char *redirect_uri;
	const char *invitation_token; /* or NULL */
	const char *pay_link_token;   /* or NULL */
};

/*
 * Record a sign-in attempt and answer {authorization_url, state} in `*out` (malloc'd JSON text).
 * CS_ENOTFOUND google_login_unavailable (no client id configured), tenant_not_found,
 * invitation_not_found, pay_link_not_found; CS_EGONE invitation_expired, pay_link_expired;
 * CS_EFORBIDDEN portal_disabled; CS_EINVALID redirect_uri_not_allowed, one_link_only;
 * CS_EUPSTREAM provider_unreachable.
 */
int google_login_start(char **out, struct app *app,
                       const struct google_login_start_request *req) CS_MUST_CHECK;

/* The provider's answer, as the portal passes it on; strings validated by the caller. */
struct google_login_callback_request {
	const char *tenant_slug;
	const char *code;
	const char *state;
	const char *iss; /* the authorization response's issuer (RFC 9207), or NULL */
	const char *client_address;
};

/*
 * Finish the sign-in of `req->state` with its authorization code: spend the state, check the
 * response's issuer, exchange the code, check the ID token (and the userinfo answer when the email
 * is there), match or link the user and open a session (`*out`, the Session JSON, malloc'd).
 * CS_EINVALID invalid_state, issuer_mismatch; CS_EGONE state_expired; CS_EUNAUTHORIZED
 * provider_error, invalid_id_token; CS_EFORBIDDEN email_not_verified, portal_disabled;
 * CS_ECONFLICT email_mismatch, google_account_mismatch; CS_ENOTFOUND no_portal_account,
 * google_login_unavailable; CS_EUPSTREAM provider_unreachable; the errors of the invitation and
 * pay-link checks and of portal_session_open.
 */
int google_login_callback(char **out, struct app *app,
                          const struct google_login_callback_request *req) CS_MUST_CHECK;

#endif
