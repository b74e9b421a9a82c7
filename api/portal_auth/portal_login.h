/* Password sign-in of a portal user (API.md rules 6, 9, 24). */
#ifndef CURBSIDE_PORTAL_LOGIN_H
#define CURBSIDE_PORTAL_LOGIN_H

#include "app.h"
#include "core/error.h"

/* A sign-in request; strings are validated and normalised by the caller. */
struct portal_login_request {
	const char *tenant_slug;
	const char *email; /* trimmed, lower-cased */
	const char *password;
	const char *account_id; /* the account to open, or NULL */
	const char *client_address;
};

/*
 * Check the password of `req->email` in the tenant's portal and open a session: `*out` is the
 * Session JSON (malloc'd). Unknown email and wrong password cost the same and answer the same
 * (CS_EUNAUTHORIZED invalid_credentials); CS_ECONFLICT google_login_required for a user who signs
 * in with Google; CS_ENOTFOUND tenant_not_found; CS_EFORBIDDEN portal_disabled; CS_ETHROTTLED;
 * CS_EBUSY when hashing is saturated; the errors of portal_session_open.
 */
int portal_login(char **out, struct app *app, const struct portal_login_request *req) CS_MUST_CHECK;

#endif
