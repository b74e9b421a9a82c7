/*
 * The customer side of joining a portal (API.md rules 5, 7, 8): invitation lookup and acceptance,
 * Review & Pay link lookup and sign-up, uninvited sign-up with an account and invoice number, and
 * the verification link that finishes a sign-up with an unproven email. The rules live in the SQL
 * functions of db/migrations/0011_signup.sql; this layer hashes tokens and passwords (before
 * taking a connection), and opens the session of a successful sign-in.
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
};

/*
 * The answer of a sign-up step: 200 with a Session JSON (the person is logged in), or 202 with
 * {status: "verification_sent", email} (a link went to the address typed, which must be proven
 * first). `json` is malloc'd; free it with signup_result_release (NULL-safe).
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

/* Accept invitation `token` (rule 5). Errors as signup_invitation_show, and CS_EFORBIDDEN
 * account_portal_disabled, CS_EBUSY when password hashing is saturated. */
int signup_invitation_accept(struct signup_result *out, struct app *app, const char *token,
                             const struct signup_input *in,
                             const char *client_address) CS_MUST_CHECK;

/*
 * The invoice summary of Review & Pay link `token` (rule 7); *out (caller frees) is {tenant,
 * invoice, account, has_portal_users, sent_to_email}. CS_ENOTFOUND pay_link_not_found, CS_EGONE
 * pay_link_expired, CS_EFORBIDDEN portal_disabled.
 */
int signup_pay_link_show(char **out, struct app *app, const char *token) CS_MUST_CHECK;

/* Create a login from pay link `token`. Errors as signup_pay_link_show, and CS_ECONFLICT
 * portal_account_exists when the invoice's address already has a login. */
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
 * (CS_ETHROTTLED with Retry-After past the budget). CS_ENOTFOUND tenant_not_found or
 * account_number_not_found, CS_EINVALID invoice_not_found, CS_EFORBIDDEN portal_disabled,
 * self_signup_disabled or account_portal_disabled.
 */
int signup_request_verification(char **out, struct app *app, const char *slug,
                                const struct signup_request *req,
                                const char *client_address) CS_MUST_CHECK;

/*
 * Finish a sign-up from verification link `token`: *out (caller frees) is a Session.
 * CS_ENOTFOUND verification_token_not_found, CS_EGONE verification_token_expired, CS_EFORBIDDEN
 * portal_disabled or account_portal_disabled, CS_EBUSY.
 */
int signup_verify_email(char **out, struct app *app, const char *token, const char *full_name,
                        const char *password, const char *client_address) CS_MUST_CHECK;

/*
 * The SHA-256 hex of a link's token into `out`; false for text that cannot be one of our tokens
 * (empty, too long, characters outside base64url), which callers answer as not found.
 */
bool signup_token_hash(char out[65], const char *token);

#endif
