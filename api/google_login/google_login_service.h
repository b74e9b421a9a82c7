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

/*
 * Finish the sign-in of `state` with authorization `code` at tenant `slug`: spend the state,
 * exchange the code, check the ID token, match or link the user and open a session (`*out`, the
 * Session JSON, malloc'd). CS_EINVALID invalid_state; CS_EGONE state_expired; CS_EUNAUTHORIZED
 * provider_error, invalid_id_token; CS_EFORBIDDEN email_not_verified, portal_disabled;
 * CS_ECONFLICT email_mismatch; CS_ENOTFOUND no_portal_account, google_login_unavailable;
 * CS_EUPSTREAM provider_unreachable; the errors of the invitation and pay-link checks and of
 * portal_session_open.
 */
int google_login_callback(char **out, struct app *app, const char *slug, const char *code,
                          const char *state, const char *client_address) CS_MUST_CHECK;

#endif
