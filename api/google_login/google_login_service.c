#include "google_login/google_login_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/random.h"
#include "core/validate.h"
#include "db/query.h"
#include "oidc/oidc_claims.h"
#include "oidc/oidc_client.h"
#include "oidc/oidc_identify.h"
#include "portal_auth/portal_sessions.h"
#include "signup/signup_service.h"
#include "tenants/tenants_service.h"

static struct db_stmt start_stmt = DB_STMT(
        "google_login_start", "SELECT google_login_start($1, $2, $3, $4, $5, $6, $7)::text");

static struct db_stmt claim_stmt =
        DB_STMT("google_login_claim", "SELECT google_login_claim($1, $2)::text");

static struct db_stmt finish_stmt = DB_STMT(
        "google_login_finish", "SELECT google_login_finish($1::uuid, $2, $3, $4, $5)::text");

/* Everything a callback needs of its claimed sign-in attempt. */
struct claimed_login {
	json_t *doc; /* google_login_claim's answer; the strings below point into it */
	const char *login_id;
	const char *nonce;
	const char *verifier;
	const char *redirect_uri;
};

static struct oidc_settings settings_of(const struct app *app)
{
	return (struct oidc_settings){
	        .issuer = app->cfg.oidc_issuer,
	        .client_id = app->cfg.oidc_client_id,
	        .client_secret = app->cfg.oidc_client_secret,
	        .timeout_ms = app->cfg.oidc_timeout_ms,
	};
}

/* Google sign-in needs a client id; without one both endpoints say so plainly. */
static int check_available(const struct app *app, const char *slug)
{
	if (!*app->cfg.oidc_client_id)
		return cs_error_set(CS_ENOTFOUND, "google_login_unavailable",
		                    "Sign-in with Google is not available here. Sign in with your "
		                    "email and password.");
	return validate_slug(slug) ? CS_OK : tenants_not_found(slug);
}

static int field_problem(const char *field, const char *code, const char *detail)
{
	int rc = cs_error_set(CS_EINVALID, code, "%s", detail);

	cs_error_set_field(field);
	return rc;
}

/* Hash an optional link token; a malformed one is simply not found. */
static int link_hash(const char **out, char hash[HASH_SHA256_HEX_SIZE], const char *token,
                     const char *not_found_code, const char *detail)
{
	*out = NULL;
	if (!token)
		return CS_OK;
	if (!signup_token_hash(hash, token))
		return cs_error_set(CS_ENOTFOUND, not_found_code, "%s", detail);
	*out = hash;
	return CS_OK;
}

static int start_answer(char **out, const char *url, const char *state)
{
	json_t *doc = json_pack("{s:s, s:s}", "authorization_url", url, "state", state);

	*out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *out ? CS_OK : CS_ENOMEM;
}

/* Record the attempt (the tenant, portal and link checks happen there); `*hint` is malloc'd. */
static int record_attempt(char **hint, struct app *app,
                          const struct google_login_start_request *req, const char *state_hash,
                          const char *nonce, const char *verifier)
{
	char inv_buf[HASH_SHA256_HEX_SIZE], pay_buf[HASH_SHA256_HEX_SIZE], *answer = NULL;
	const char *inv = NULL, *pay = NULL;
	int rc;

	*hint = NULL;
	if ((rc = link_hash(&inv, inv_buf, req->invitation_token, "invitation_not_found",
	                    "This invitation link is not valid.")) != CS_OK ||
	    (rc = link_hash(&pay, pay_buf, req->pay_link_token, "pay_link_not_found",
	                    "This payment link is not valid.")) != CS_OK)
		return rc;
	const char *params[] = {req->tenant_slug,  state_hash, nonce, verifier,
	                        req->redirect_uri, inv,        pay};
	if ((rc = db_query_text(&answer, app->db, &start_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	json_t *doc = answer ? json_loads(answer, 0, NULL) : NULL;
	const char *h = json_string_value(json_object_get(doc, "login_hint"));
	if (h && !(*hint = strdup(h)))
		rc = CS_ENOMEM;
	json_decref(doc);
	free(answer);
	return rc;
}

int google_login_start(char **out, struct app *app, const struct google_login_start_request *req)
{
	char state[RANDOM_TOKEN_SIZE], nonce[RANDOM_TOKEN_SIZE], verifier[RANDOM_TOKEN_SIZE];
	char state_hash[HASH_SHA256_HEX_SIZE], challenge[OIDC_CHALLENGE_SIZE];
	struct oidc_settings settings = settings_of(app);
	struct oidc_endpoints endpoints;
	char *hint = NULL, *url = NULL;
	int rc;

	*out = NULL;
	if ((rc = check_available(app, req->tenant_slug)) != CS_OK)
		return rc;
	if (req->invitation_token && req->pay_link_token)
		return field_problem("pay_link_token", "one_link_only",
		                     "Give an invitation token or a pay link token, not both.");
	if (!oidc_redirect_allowed(app->cfg.public_url, req->tenant_slug, req->redirect_uri))
		return field_problem(
		        "redirect_uri", "redirect_uri_not_allowed",
		        "The redirect URI must be an address of this hauler's portal.");
	/* The verifier is a 43-character base64url token: a valid PKCE verifier (RFC 7636 4.1). */
	if ((rc = random_token(state)) != CS_OK || (rc = random_token(nonce)) != CS_OK ||
	    (rc = random_token(verifier)) != CS_OK ||
	    (rc = hash_sha256_hex(state_hash, state, strlen(state))) != CS_OK ||
	    (rc = oidc_pkce_challenge(challenge, verifier)) != CS_OK)
		return rc;
	if ((rc = record_attempt(&hint, app, req, state_hash, nonce, verifier)) != CS_OK)
		goto out;
	/* Read afresh at every start: nobody is sent to a provider that is down right now. */
	if ((rc = oidc_discover(&endpoints, &settings, true)) != CS_OK)
		goto out;
	struct oidc_authorize authorize = {
	        .endpoint = endpoints.authorization,
	        .client_id = settings.client_id,
	        .redirect_uri = req->redirect_uri,
	        .state = state,
	        .nonce = nonce,
	        .challenge = challenge,
	        .login_hint = hint,
	};
	if ((rc = oidc_authorization_url(&url, &authorize)) == CS_OK)
		rc = start_answer(out, url, state);
out:
	free(hint);
	free(url);
	return rc;
}

static void claimed_login_release(struct claimed_login *c)
{
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}

/* Spend `state` at tenant `slug` (google_login_claim) and keep what the exchange needs. */
static int claim(struct claimed_login *c, struct app *app, const char *slug, const char *state)
{
	char hash[HASH_SHA256_HEX_SIZE], *answer = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!signup_token_hash(hash, state))
		return field_problem("state", "invalid_state",
		                     "This sign-in is not valid or was already used. Please start "
		                     "again.");
	const char *params[] = {slug, hash};
	if ((rc = db_query_text(&answer, app->db, &claim_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	c->doc = answer ? json_loads(answer, 0, NULL) : NULL;
	free(answer);
	c->login_id = json_string_value(json_object_get(c->doc, "login_id"));
	c->nonce = json_string_value(json_object_get(c->doc, "nonce"));
	c->verifier = json_string_value(json_object_get(c->doc, "code_verifier"));
	c->redirect_uri = json_string_value(json_object_get(c->doc, "redirect_uri"));
	if (!c->login_id || !c->nonce || !c->verifier || !c->redirect_uri) {
		claimed_login_release(c);
		return CS_EINTERNAL;
	}
	return CS_OK;
}

static int verdict_problem(enum oidc_verdict v)
{
	LOG_INFO("google login: ID token refused: %s", oidc_verdict_name(v));
	if (v == OIDC_EMAIL_UNVERIFIED)
		return cs_error_set(CS_EFORBIDDEN, "email_not_verified",
		                    "The email address of this Google account is not verified. "
		                    "Verify it with Google, then try again.");
	return cs_error_set(CS_EUNAUTHORIZED, "invalid_id_token",
	                    "The sign-in provider's answer could not be accepted (%s). Please "
	                    "start again.",
	                    oidc_verdict_name(v));
}

/* Exchange the code and check what the provider says; `*who` is the person it names. */
static int identify(struct oidc_identity *who, const struct app *app, const struct claimed_login *c,
                    const char *code)
{
	struct oidc_settings settings = settings_of(app);
	struct oidc_callback cb = {
	        .code = code,
	        .verifier = c->verifier,
	        .redirect_uri = c->redirect_uri,
	        .nonce = c->nonce,
	};
	enum oidc_verdict v = OIDC_MALFORMED;
	int rc = oidc_identify(who, &v, &settings, &cb);

	if (rc == CS_OK && v != OIDC_OK)
		rc = verdict_problem(v);
	return rc;
}

/*
 * The authorization response's `iss` (RFC 9207), when the portal passed it on, must name our
 * provider: a response another provider sent here (a mix-up) is refused before its code goes
 * anywhere.
 */
static int check_response_issuer(const struct app *app, const char *iss)
{
	if (!iss || oidc_issuer_matches(iss, app->cfg.oidc_issuer))
		return CS_OK;
	LOG_INFO("google login: the authorization response names another issuer");
	return field_problem("iss", "issuer_mismatch",
	                     "This sign-in answer came from another sign-in provider than the one "
	                     "it was started with. Please start again.");
}

/* Match or link the user (google_login_finish) and open the session. */
static int sign_in(char **out, struct app *app, const struct claimed_login *c,
                   const struct oidc_identity *who, const char *client_address)
{
	char *outcome = NULL;
	json_t *doc = NULL;
	int rc;

	const char *params[] = {c->login_id, app->cfg.oidc_issuer, who->subject, who->email,
	                        who->name[0] ? who->name : NULL};
	if ((rc = db_query_text(&outcome, app->db, &finish_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	doc = outcome ? json_loads(outcome, 0, NULL) : NULL;
	const char *tenant = json_string_value(json_object_get(doc, "tenant_id"));
	const char *user = json_string_value(json_object_get(doc, "user_id"));
	const char *account = json_string_value(json_object_get(doc, "account_id"));
	if (!tenant || !user)
		rc = CS_EINTERNAL;
	else
		rc = portal_session_open(out, app, tenant, user, account, client_address);
	if (rc == CS_OK)
		LOG_INFO("portal google login tenant=%s user=%s", tenant, user);
	json_decref(doc);
	free(outcome);
	return rc;
}

int google_login_callback(char **out, struct app *app,
                          const struct google_login_callback_request *req)
{
	struct claimed_login claimed;
	struct oidc_identity who;
	int rc;

	*out = NULL;
	if ((rc = check_available(app, req->tenant_slug)) != CS_OK)
		return rc;
	/* The state is spent first: whatever happens next, it cannot be replayed. */
	if ((rc = claim(&claimed, app, req->tenant_slug, req->state)) != CS_OK)
		return rc;
	/* No pool connection is held while the provider answers. */
	if ((rc = check_response_issuer(app, req->iss)) == CS_OK &&
	    (rc = identify(&who, app, &claimed, req->code)) == CS_OK)
		rc = sign_in(out, app, &claimed, &who, req->client_address);
	claimed_login_release(&claimed);
	return rc;
}
