#include "signup/signup_service.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/password.h"
#include "core/random.h"
#include "db/query.h"
#include "db/throttle.h"
#include "portal_auth/portal_sessions.h"
#include "tenants/tenants_service.h"

/* The longest link token we accept: ours are 43 characters; leave room for other encodings. */
#define SIGNUP_TOKEN_MAX 128

/* A lookup's body with the tenant's public branding (the one shape of tenants_service.h) added. */
#define WITH_BRANDING(fn)                                                                          \
	"SELECT (jsonb_build_object('tenant', (SELECT " TENANT_BRANDING_JSON_SQL                   \
	" FROM tenants WHERE id = s.tenant_id)::jsonb) || s.body::jsonb)::text FROM " fn "($1) s"

static struct db_stmt invitation_show_stmt =
        DB_STMT("signup_invitation_show", WITH_BRANDING("signup_invitation_show"));

static struct db_stmt invitation_accept_stmt =
        DB_STMT("signup_invitation_accept",
                "SELECT signup_invitation_accept($1, $2, $3, $4, $5, $6, $7::uuid)::text");

static struct db_stmt pay_link_show_stmt =
        DB_STMT("signup_pay_link_show", WITH_BRANDING("signup_pay_link_show"));

static struct db_stmt pay_link_signup_stmt =
        DB_STMT("signup_pay_link_signup",
                "SELECT signup_pay_link_signup($1, $2, $3, $4, $5, $6, $7::uuid)::text");

static struct db_stmt request_stmt =
        DB_STMT("signup_request", "SELECT signup_request($1, $2, $3, $4, $5, $6)::text");

static struct db_stmt verify_stmt =
        DB_STMT("signup_verify_email", "SELECT signup_verify_email($1, $2, $3, $4::boolean)::text");

void signup_result_release(struct signup_result *r)
{
	if (!r)
		return;
	free(r->json);
	r->json = NULL;
}

bool signup_token_hash(char out[65], const char *token)
{
	size_t len = token ? strlen(token) : 0;

	if (len == 0 || len > SIGNUP_TOKEN_MAX ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	            len)
		return false;
	return hash_sha256_hex(out, token, len) == CS_OK;
}

static int verification_sent_body(char **out, const json_t *outcome)
{
	json_t *doc = json_pack("{s:s, s:O}", "status", "verification_sent", "email",
	                        json_object_get(outcome, "email"));

	*out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *out ? CS_OK : CS_ENOMEM;
}

/* The 429 of a customer account whose verification emails reached their hourly cap. */
static int refuse_throttled(const json_t *outcome)
{
	json_int_t wait = json_integer_value(json_object_get(outcome, "retry_after"));

	cs_error_set(CS_ETHROTTLED, "too_many_verification_emails",
	             "Too many confirmation emails were sent for this account in the last hour. "
	             "Please try again in %d seconds.",
	             (int)wait);
	cs_error_set_retry_after(wait > 0 ? (int)wait : 1);
	return CS_ETHROTTLED;
}

/*
 * Turn the outcome JSON of a sign-up function into the answer: open a session for
 * {outcome: "session", tenant_id, user_id, account_id}; 202 for "verification_sent"; 429 for
 * "throttled"; status 422 (no body) for "details_required" (the caller names the fields).
 */
static int finish(struct signup_result *out, struct app *app, const char *outcome_text,
                  const char *client_address, const char *source)
{
	json_error_t err;
	json_t *outcome = outcome_text ? json_loads(outcome_text, 0, &err) : NULL;
	const char *kind = json_string_value(json_object_get(outcome, "outcome"));
	int rc;

	if (!kind || !strcmp(kind, "password_needed")) {
		rc = cs_error_set(CS_EINTERNAL, "internal_error",
		                  "A sign-up step answered nothing usable.");
		goto out;
	}
	if (!strcmp(kind, "throttled")) {
		rc = refuse_throttled(outcome);
		goto out;
	}
	if (!strcmp(kind, "details_required")) {
		out->status = 422;
		rc = CS_OK;
		goto out;
	}
	if (strcmp(kind, "session") != 0) {
		out->status = 202;
		rc = verification_sent_body(&out->json, outcome);
		goto out;
	}
	const char *tenant = json_string_value(json_object_get(outcome, "tenant_id"));
	const char *user = json_string_value(json_object_get(outcome, "user_id"));
	const char *account = json_string_value(json_object_get(outcome, "account_id"));
	out->status = 200;
	rc = portal_session_open(&out->json, app, tenant, user, account, client_address);
	if (rc == CS_OK)
		LOG_INFO("portal sign-up tenant=%s user=%s source=%s", tenant, user, source);
out:
	json_decref(outcome);
	return rc;
}

/* Whether a step's outcome asks for the password's hash. */
static bool wants_password(const char *outcome_text)
{
	json_t *outcome = json_loads(outcome_text, 0, NULL);
	const char *kind = json_string_value(json_object_get(outcome, "outcome"));
	bool wanted = kind && !strcmp(kind, "password_needed");

	json_decref(outcome);
	return wanted;
}

/* Marks the value of a sign-up step that run_step fills with the password's hash. */
static const char password_hash_param[] = "(the password hash)";

/*
 * Run a sign-up step whose password_hash_param value is the password's hash. The first run goes
 * without it: the link is checked (an unknown, used or expired one costs no hash) and every
 * branch that sets no password is done. Only when the step answers password_needed is `password`
 * hashed (with no connection held: the pool must not wait on argon2) and the step run again,
 * which re-checks the link under its row lock. *outcome (caller frees) is the step's last answer.
 */
static int run_step(char **outcome, struct app *app, struct db_stmt *stmt, const char **params,
                    int nparams, const char *password)
{
	int hash_at = db_params_slot(params, nparams, password_hash_param);
	char hashed[PASSWORD_HASH_SIZE];
	int rc;

	if (hash_at < 0)
		return cs_error_set(CS_EINTERNAL, "internal_error",
		                    "A sign-up step has no place for the password hash.");
	params[hash_at] = NULL;
	if ((rc = db_query_text(outcome, app->db, stmt, params, nparams)) != CS_OK ||
	    !wants_password(*outcome))
		return rc;
	free(*outcome);
	*outcome = NULL;
	if (!password)
		return cs_error_set(CS_EINTERNAL, "internal_error",
		                    "A sign-up step wants a password.");
	if ((rc = password_hash(hashed, password)) != CS_OK)
		return rc;
	params[hash_at] = hashed;
	rc = db_query_text(outcome, app->db, stmt, params, nparams);
	params[hash_at] = NULL;
	return rc;
}

static int not_found(const char *code, const char *detail)
{
	return cs_error_set(CS_ENOTFOUND, code, "%s", detail);
}

int signup_invitation_show(char **out, struct app *app, const char *token)
{
	char hash[HASH_SHA256_HEX_SIZE];

	*out = NULL;
	if (!signup_token_hash(hash, token))
		return not_found("invitation_not_found", "This invitation link is not valid.");
	const char *params[] = {hash};
	int rc = db_query_text(out, app->db, &invitation_show_stmt, DB_PARAMS(params));
	return rc == CS_OK ? tenants_login_methods_apply(out, "tenant") : rc;
}

int signup_pay_link_show(char **out, struct app *app, const char *token)
{
	char hash[HASH_SHA256_HEX_SIZE];

	*out = NULL;
	if (!signup_token_hash(hash, token))
		return not_found("pay_link_not_found", "This payment link is not valid.");
	const char *params[] = {hash};
	int rc = db_query_text(out, app->db, &pay_link_show_stmt, DB_PARAMS(params));
	return rc == CS_OK ? tenants_login_methods_apply(out, "tenant") : rc;
}

/* The shape of accepting an invitation and of a pay-link sign-up: run the step, finish it. */
static int sign_up_with_link(struct signup_result *out, struct app *app, struct db_stmt *stmt,
                             const char *link_hash, const struct signup_input *in,
                             const char *client_address, const char *source)
{
	struct random_hashed_token verify;
	char *outcome = NULL;
	int rc;

	if ((rc = random_hashed_token(&verify)) != CS_OK)
		return rc;
	const char *params[] = {link_hash,    in->email,   in->full_name,     password_hash_param,
	                        verify.token, verify.hash, in->signed_in_user};
	if ((rc = run_step(&outcome, app, stmt, DB_PARAMS(params), in->password)) == CS_OK)
		rc = finish(out, app, outcome, client_address, source);
	free(outcome);
	return rc;
}

int signup_invitation_accept(struct signup_result *out, struct app *app, const char *token,
                             const struct signup_input *in, const char *client_address)
{
	char hash[HASH_SHA256_HEX_SIZE];

	*out = (struct signup_result){0};
	if (!signup_token_hash(hash, token))
		return not_found("invitation_not_found", "This invitation link is not valid.");
	return sign_up_with_link(out, app, &invitation_accept_stmt, hash, in, client_address,
	                         "invitation");
}

int signup_pay_link_signup(struct signup_result *out, struct app *app, const char *token,
                           const struct signup_input *in, const char *client_address)
{
	char hash[HASH_SHA256_HEX_SIZE];

	*out = (struct signup_result){0};
	if (!signup_token_hash(hash, token))
		return not_found("pay_link_not_found", "This payment link is not valid.");
	return sign_up_with_link(out, app, &pay_link_signup_stmt, hash, in, client_address,
	                         "pay_link");
}

/* Whether the last error is a failed guess of an account or invoice number. */
static bool guess_failed(int rc)
{
	const char *code = cs_error_last()->code;

	return (rc == CS_ENOTFOUND || rc == CS_EINVALID) && code &&
	       (!strcmp(code, "account_number_not_found") || !strcmp(code, "invoice_not_found"));
}

int signup_request_verification(char **out, struct app *app, const char *slug,
                                const struct signup_request *req, const char *client_address)
{
	struct signup_result result = {0};
	struct random_hashed_token verify;
	char key[160], *outcome = NULL;
	int rc;

	*out = NULL;
	/* Per tenant and address: guessing account numbers is what this budget stops. */
	snprintf(key, sizeof(key), "signup|%.63s|%s", slug, client_address);
	/* Reserved before the lookup, so simultaneous guesses cannot outrun the count. */
	if ((rc = throttle_admit(app->login_by_address, key,
	                         "sign-up attempts that did not match an account")) != CS_OK)
		return rc;
	const char *params[] = {slug,       req->account_number, req->invoice_number,
	                        req->email, verify.token,        verify.hash};
	if ((rc = random_hashed_token(&verify)) == CS_OK)
		rc = db_query_text(&outcome, app->db, &request_stmt, DB_PARAMS(params));
	throttle_finish(app->login_by_address, key,
	                rc != CS_OK && guess_failed(rc) ? THROTTLE_FAILED : THROTTLE_NEUTRAL);
	if (rc == CS_OK)
		rc = finish(&result, app, outcome, client_address, "signup");
	free(outcome);
	*out = result.json;
	return rc;
}

int signup_verify_email(struct signup_result *out, struct app *app, const char *token,
                        const char *full_name, const char *password, const char *client_address)
{
	char hash[HASH_SHA256_HEX_SIZE];
	char *outcome = NULL;
	int rc;

	*out = (struct signup_result){0};
	if (!signup_token_hash(hash, token))
		return not_found("verification_token_not_found",
		                 "This verification link is not valid.");
	const char *params[] = {hash, full_name, password_hash_param, password ? "true" : "false"};
	if ((rc = run_step(&outcome, app, &verify_stmt, DB_PARAMS(params), password)) == CS_OK)
		rc = finish(out, app, outcome, client_address, "verification");
	free(outcome);
	return rc;
}
