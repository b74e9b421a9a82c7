#include "passwords/passwords_service.h"

#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "core/password.h"
#include "core/random.h"
#include "core/strbuf.h"
#include "db/query.h"
#include "signup/signup_service.h"

static struct db_stmt forgot_stmt =
        DB_STMT("passwords_forgot", "SELECT passwords_forgot($1, $2, $3, $4)");

static struct db_stmt reset_check_stmt =
        DB_STMT("passwords_reset_check", "SELECT passwords_reset_check($1)");

static struct db_stmt reset_stmt = DB_STMT("passwords_reset", "SELECT passwords_reset($1, $2)");

static struct db_stmt staff_users_stmt =
        DB_STMT("passwords_staff_reset_users", "SELECT passwords_staff_reset_users($1, $2)");

static struct db_stmt staff_reset_stmt =
        DB_STMT("passwords_staff_reset",
                "SELECT passwords_staff_reset($1, $2, $3::text[], $4::text[])::text");

int passwords_forgot(struct app *app, const char *slug, const char *email)
{
	struct random_hashed_token reset;
	char *ignored = NULL;
	int rc;

	/* A token is made whether or not the email is a user's: the answer must not tell. */
	if ((rc = random_hashed_token(&reset)) != CS_OK)
		return rc;
	const char *params[] = {slug, email, reset.token, reset.hash};
	rc = db_query_text(&ignored, app->db, &forgot_stmt, DB_PARAMS(params));
	free(ignored);
	return rc;
}

int passwords_reset(struct app *app, const char *token, const char *password)
{
	char hash[HASH_SHA256_HEX_SIZE], password_hashed[PASSWORD_HASH_SIZE], *ignored = NULL;
	int rc;

	if (!signup_token_hash(hash, token))
		return cs_error_set(CS_ENOTFOUND, "reset_token_not_found",
		                    "This password reset link is not valid.");
	/* The link first: a wrong one costs no hash. Then hash with no connection held (the pool
	 * must not wait on argon2); passwords_reset checks the link again under its row lock. */
	const char *check[] = {hash};
	if ((rc = db_query_text(&ignored, app->db, &reset_check_stmt, DB_PARAMS(check))) != CS_OK)
		return rc;
	free(ignored);
	ignored = NULL;
	if ((rc = password_hash(password_hashed, password)) != CS_OK)
		return rc;
	const char *params[] = {hash, password_hashed};
	rc = db_query_text(&ignored, app->db, &reset_stmt, DB_PARAMS(params));
	free(ignored);
	if (rc == CS_OK)
		LOG_INFO("portal password reset by link; sessions ended");
	return rc;
}

/* `n` fresh tokens and their hashes as two PostgreSQL array literals (base64url and hex need no
 * quoting). */
static int token_arrays(char **tokens, char **hashes, long n)
{
	struct strbuf t = STRBUF_INIT, h = STRBUF_INIT;
	struct random_hashed_token reset;
	int rc = CS_OK;

	strbuf_append(&t, "{", 1);
	strbuf_append(&h, "{", 1);
	for (long i = 0; i < n && rc == CS_OK; i++) {
		if ((rc = random_hashed_token(&reset)) != CS_OK)
			break;
		strbuf_printf(&t, "%s%s", i ? "," : "", reset.token);
		strbuf_printf(&h, "%s%s", i ? "," : "", reset.hash);
	}
	strbuf_append(&t, "}", 1);
	strbuf_append(&h, "}", 1);
	*tokens = strbuf_detach(&t, NULL);
	*hashes = strbuf_detach(&h, NULL);
	if (rc == CS_OK && (!*tokens || !*hashes))
		rc = CS_ENOMEM;
	return rc;
}

/* Copy the first cell of `res` (freed here) into *out. */
static int take_text(char **out, PGresult *res)
{
	int rc = (*out = strdup(PQgetvalue(res, 0, 0))) ? CS_OK : CS_ENOMEM;

	PQclear(res);
	return rc;
}

int passwords_staff_reset(char **out, struct app *app, const char *tenant_id,
                          const char *customer_id)
{
	const char *customer[] = {tenant_id, customer_id};
	char *tokens = NULL, *hashes = NULL, *count = NULL;
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_checkout(&conn, app->db)) != CS_OK)
		return rc;
	/* One transaction: the count locks the customer, so the users it counted are the ones the
	 * tokens are for. */
	if ((rc = db_begin(conn)) != CS_OK)
		goto out;
	if ((rc = db_exec(&res, conn, &staff_users_stmt, DB_PARAMS(customer))) != CS_OK ||
	    (rc = take_text(&count, res)) != CS_OK)
		goto out;
	if ((rc = token_arrays(&tokens, &hashes, strtol(count, NULL, 10))) != CS_OK)
		goto out;
	const char *reset[] = {tenant_id, customer_id, tokens, hashes};
	if ((rc = db_exec(&res, conn, &staff_reset_stmt, DB_PARAMS(reset))) != CS_OK ||
	    (rc = take_text(out, res)) != CS_OK)
		goto out;
	rc = db_commit(conn);
out:
	if (rc != CS_OK) {
		free(*out);
		*out = NULL;
	}
	db_release(conn);
	free(tokens);
	free(hashes);
	free(count);
	return rc;
}
