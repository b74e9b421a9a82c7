/*
 * The customer side of joining a portal (API.md rules 5, 7, 8): invitation lookup and acceptance,
 * Review & Pay link lookup and sign-up, uninvited sign-up with an account and invoice number, and
 * the emailed link that finishes a sign-up with an unproven email or links an existing login (rule
 * 6a). The rules live in the SQL functions of db/migrations/0011_signup.sql and
 * 0024_link_takeover.sql; this layer hashes tokens, hashes a password only once the link is known
 * to be good and the step needs it (with no connection held), and opens the session of a
 * successful sign-in.
 */
#ifndef CURBSIDE_SIGNUP_SERVICE_H
#define CURBSIDE_SIGNUP_SERVICE_H

#include <stdbool.h>

#include "app.h"
#include "core/error.h"

/* What a person types to create a login: email normalised, full name trimmed. */
struct signup_input {
	const char *email;
	const char *full_name;
	const char *password;
	/* The portal user of the request's bearer token, or NULL: signed in as the login of
	 * `email`, the person has proven it and the account is linked without a password (rule 6a).
	 */
	const char *signed_in_user;
};

/*
 * The answer of a sign-up step: 200 with a Session JSON (the person is logged in), 202 with
 * {status: "verification_sent", email} (a link went to the address typed, which must be proven
 * first), or 422 with no JSON (a new login needs the name and password that were left out).
 * `json` is malloc'd; free it with signup_result_release (NULL-safe).
 */
struct signup_result {
	int status;
	char *json;
};

void signup_result_release(struct signup_result *r);

/*
 * What the activation page of invitation link `token` shows; *out (caller frees) is
 * {tenant: Branding, kind, first_name, email, expires_at, account}. CS_ENOTFOUND
 * invitation_not_found, CS_EGONE invitation_expired, CS_EFORBIDDEN portal_disabled.
 */
int signup_invitation_show(char **out, struct app *app, const char *token) CS_MUST_CHECK;

/* Accept invitation `token` (rule 5, 6a). Errors as signup_invitation_show, and CS_EFORBIDDEN
 * account_portal_disabled, CS_ETHROTTLED too_many_verification_emails, CS_EBUSY when password
 * hashing is saturated. */
int signup_invitation_accept(struct signup_result *out, struct app *app, const char *token,
                             const struct signup_input *in,
                             const char *client_address) CS_MUST_CHECK;

/*
 * The invoice summary of Review & Pay link `token` (rule 7); *out (caller frees) is {tenant,
 * invoice, account, has_portal_users, sent_to_email}. CS_ENOTFOUND pay_link_not_found, CS_EGONE
 * pay_link_expired, CS_EFORBIDDEN portal_disabled.
 */
int signup_pay_link_show(char **out, struct app *app, const char *token) CS_MUST_CHECK;

/* Create a login from pay link `token`, or link an existing one (rule 7, 6a). Errors as
 * signup_pay_link_show, and as signup_invitation_accept. */
int signup_pay_link_signup(struct signup_result *out, struct app *app, const char *token,
                           const struct signup_input *in, const char *client_address) CS_MUST_CHECK;

/* An uninvited sign-up request (rule 8) at tenant `slug`. */
struct signup_request {
	const char *account_number; /* trimmed */
	const char *invoice_number; /* trimmed */
	const char *email;          /* normalised */
};

/*
 * Send a verification link to `req->email` when the account number and a sent invoice of it
 * match; *out (caller frees) is the 202 body. Failures to match count against the client address
 * (CS_ETHROTTLED with Retry-After past the budget); so do more than the hourly cap of emails
 * naming one account (CS_ETHROTTLED too_many_verification_emails). CS_ENOTFOUND tenant_not_found or
 * account_number_not_found, CS_EINVALID invoice_not_found, CS_EFORBIDDEN portal_disabled,
 * self_signup_disabled or account_portal_disabled.
 */
int signup_request_verification(char **out, struct app *app, const char *slug,
                                const struct signup_request *req,
                                const char *client_address) CS_MUST_CHECK;

/*
 * Follow emailed link `token`: *out is a Session (status 200), or status 422 when the address has
 * no login yet and `full_name` or `password` (both optional otherwise, may be NULL) is missing.
 * With a password, the login's password is set and every other session of the user ends.
 * CS_ENOTFOUND verification_token_not_found, CS_EGONE verification_token_expired, CS_EFORBIDDEN
 * portal_disabled or account_portal_disabled, CS_EBUSY.
 */
int signup_verify_email(struct signup_result *out, struct app *app, const char *token,
                        const char *full_name, const char *password,
                        const char *client_address) CS_MUST_CHECK;

/*
 * The SHA-256 hex of a link's token into `out`; false for text that cannot be one of our tokens
 * (empty, too long, characters outside base64url), which callers answer as not found.
 */
bool signup_token_hash(char out[65], const char *token);

#endif
