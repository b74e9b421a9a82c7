/*
 * Portal passwords (API.md rule 10): the forgot-password email, setting a new password from its
 * link (which ends every session of the user), and the reset emails staff trigger for a
 * customer's users. The rules live in db/migrations/0011_signup.sql.
 */
#ifndef CURBSIDE_PASSWORDS_SERVICE_H
#define CURBSIDE_PASSWORDS_SERVICE_H

#include "app.h"
#include "core/error.h"

/*
 * Record a forgot-password request for `email` (normalised) at tenant `slug`: the same work and
 * the same CS_OK whether or not it is a portal user there (no enumeration, not even by timing);
 * the mail worker then sends the reset email when it is (db/migrations/0026).
 * CS_ENOTFOUND tenant_not_found, CS_EFORBIDDEN portal_disabled.
 */
int passwords_forgot(struct app *app, const char *slug, const char *email) CS_MUST_CHECK;

/*
 * Set `password` for the user of reset link `token` and end all of the user's sessions.
 * CS_ENOTFOUND reset_token_not_found, CS_EGONE reset_token_expired, CS_EFORBIDDEN
 * portal_disabled, CS_EBUSY when password hashing is saturated.
 */
int passwords_reset(struct app *app, const char *token, const char *password) CS_MUST_CHECK;

/*
 * Email a reset link (or the Google note) to every portal user of customer `customer_id`;
 * *out (caller frees) is {emails_queued}. CS_ENOTFOUND not_found (also another tenant's customer),
 * CS_ECONFLICT no_portal_users, CS_EFORBIDDEN portal_disabled.
 */
int passwords_staff_reset(char **out, struct app *app, const char *tenant_id,
                          const char *customer_id) CS_MUST_CHECK;

#endif
