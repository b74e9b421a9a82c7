#include "portal_auth/portal_sessions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/hash.h"
#include "core/jwt.h"
#include "core/link_token.h"
#include "core/random.h"
#include "db/query.h"
#include "http/auth.h"

static struct db_stmt open_stmt =
        DB_STMT("portal_session_open",
                "SELECT portal_session_open($1::uuid, $2::uuid, $3::uuid, $4, $5::int, $6)::text");

static struct db_stmt refresh_stmt = DB_STMT(
        "portal_session_refresh", "SELECT portal_session_refresh($1, $2::text[], $3::int)::text");

/* What the HMAC of a refresh token's successor binds, besides the token (core/link_token.h). */
#define REFRESH_SUCCESSOR_PURPOSE "refresh"
#define REFRESH_SUCCESSOR_NONCE   "successor"

static struct db_stmt select_stmt = DB_STMT(
        "portal_session_select", "SELECT portal_session_select($1::uuid, $2::uuid, $3)::text");

static struct db_stmt end_stmt = DB_STMT(
        "portal_session_end",
        "UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid AND revoked_at IS NULL");

static struct db_stmt state_stmt =
        DB_STMT("portal_session_state",
                "SELECT portal_session_state($1::uuid, $2::uuid, $3::uuid, $4::uuid)");

static void copy_member(char *dst, size_t cap, const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	snprintf(dst, cap, "%s", v ? v : "");
}

/*
 * Turn the database's session description `facts` (portal_session_json) into the API's Session:
 * sign an access token for it and add the refresh token. `*out` is malloc'd JSON text.
 */
static int session_answer(char **out, struct app *app, const char *facts,
                          const struct random_hashed_token *refresh)
{
	struct access_claims claims = {0};
	char *access = NULL;
	json_t *doc = json_loads(facts, 0, NULL);
	int rc = CS_ENOMEM;

	*out = NULL;
	if (!doc)
		return CS_EINTERNAL;
	snprintf(claims.audience, sizeof(claims.audience), "portal");
	copy_member(claims.session_id, sizeof(claims.session_id), doc, "session_id");
	copy_member(claims.tenant_id, sizeof(claims.tenant_id), doc, "tenant_id");
	copy_member(claims.subject, sizeof(claims.subject), json_object_get(doc, "user"), "id");
	copy_member(claims.account_id, sizeof(claims.account_id), doc, "account_id");
	if ((rc = access_token_issue(&access, &app->keys, &claims, time(NULL))) != CS_OK)
		goto out;
	json_object_del(doc, "session_id");
	json_object_del(doc, "tenant_id");
	rc = CS_ENOMEM;
	if (json_object_set_new(doc, "access_token", json_string(access)) ||
	    json_object_set_new(doc, "token_type", json_string("Bearer")) ||
	    json_object_set_new(doc, "expires_in", json_integer(ACCESS_TOKEN_TTL)) ||
	    json_object_set_new(doc, "refresh_token", json_string(refresh->token)))
		goto out;
	if ((*out = json_dumps(doc, JSON_COMPACT)))
		rc = CS_OK;
out:
	free(access);
	json_decref(doc);
	return rc;
}

int portal_session_open(char **out, struct app *app, const char *tenant_id, const char *user_id,
                        const char *account_id, const char *client_address)
{
	struct random_hashed_token refresh;
	char ttl[16], *facts = NULL;
	int rc;

	*out = NULL;
	if ((rc = random_hashed_token(&refresh)) != CS_OK)
		return rc;
	snprintf(ttl, sizeof(ttl), "%d", PORTAL_SESSION_TTL);
	const char *params[] = {tenant_id, user_id, account_id, refresh.hash, ttl, client_address};
	if ((rc = db_query_text(&facts, app->db, &open_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	rc = facts ? session_answer(out, app, facts, &refresh) : CS_EINTERNAL;
	free(facts);
	return rc;
}

/* The problem of a refresh the database refused; `status` is portal_session_refresh's verdict. */
static int refresh_refused(const char *status)
{
	if (!strcmp(status, "reused"))
		return cs_error_set(CS_EUNAUTHORIZED, "refresh_token_reused",
		                    "This refresh token was already used, so its session has been "
		                    "ended for safety. Sign in again.");
	if (!strcmp(status, "portal_disabled"))
		return cs_error_set(CS_EFORBIDDEN, "portal_disabled",
		                    "This online account portal is not available.");
	if (!strcmp(status, "no_accounts"))
		return cs_error_set(CS_EFORBIDDEN, "portal_access_disabled",
		                    "Online access to your account has been switched off. Please "
		                    "contact us.");
	return cs_error_set(
	        CS_EUNAUTHORIZED, "invalid_refresh_token",
	        "The refresh token is invalid or its session has ended. Sign in again.");
}

/*
 * The successor of refresh token `token` under `secret` (none: an empty token and hash). Derived,
 * not random: a second refresh with the same token within the grace must be able to answer the
 * same successor, and the database keeps only hashes (docs/decisions.md, issue 23 item 7).
 */
static int successor_of(struct random_hashed_token *out, const char *secret, const char *token)
{
	int rc;

	out->token[0] = out->hash[0] = '\0';
	if (!secret)
		return CS_OK;
	if ((rc = link_token_derive(out->token, secret, strlen(secret), REFRESH_SUCCESSOR_PURPOSE,
	                            token, REFRESH_SUCCESSOR_NONCE)) != CS_OK)
		return rc;
	return hash_sha256_hex(out->hash, out->token, strlen(out->token));
}

/* The successors of `token` under the current and the previous key, and their hashes as a SQL
 * text[] literal into `array` (hex digits only: nothing to quote). */
static int successors_of(struct random_hashed_token next[2], char *array, size_t cap,
                         const struct access_token_keys *keys, const char *token)
{
	int rc;

	if ((rc = successor_of(&next[0], keys->secret, token)) != CS_OK ||
	    (rc = successor_of(&next[1], keys->previous_secret, token)) != CS_OK)
		return rc;
	snprintf(array, cap, next[1].hash[0] ? "{%s,%s}" : "{%s}", next[0].hash, next[1].hash);
	return CS_OK;
}

/* The one of `next` whose hash the database answered (`hash`), or NULL. */
static const struct random_hashed_token *
successor_answered(const struct random_hashed_token next[2], const char *hash)
{
	for (int i = 0; hash && i < 2; i++)
		if (next[i].hash[0] && !strcmp(next[i].hash, hash))
			return &next[i];
	return NULL;
}

int portal_session_refresh(char **out, struct app *app, const char *refresh_token)
{
	struct random_hashed_token next[2];
	char old_hash[HASH_SHA256_HEX_SIZE], successors[2 * HASH_SHA256_HEX_SIZE + 4], grace[16];
	char *verdict = NULL;
	json_t *doc = NULL;
	int rc;

	*out = NULL;
	if ((rc = hash_sha256_hex(old_hash, refresh_token, strlen(refresh_token))) != CS_OK ||
	    (rc = successors_of(next, successors, sizeof(successors), &app->keys, refresh_token)) !=
	            CS_OK)
		return rc;
	snprintf(grace, sizeof(grace), "%d", app->cfg.refresh_grace_seconds);
	const char *params[] = {old_hash, successors, grace};
	if ((rc = db_query_text(&verdict, app->db, &refresh_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	if (!verdict || !(doc = json_loads(verdict, 0, NULL))) {
		rc = CS_EINTERNAL;
		goto out;
	}
	const char *status = json_string_value(json_object_get(doc, "status"));
	if (!status || strcmp(status, "ok") != 0) {
		if (status && !strcmp(status, "reused"))
			http_auth_cache_clear();
		rc = refresh_refused(status ? status : "unknown");
		goto out;
	}
	const struct random_hashed_token *successor =
	        successor_answered(next, json_string_value(json_object_get(doc, "successor_hash")));
	if (!successor) { /* the database answered a hash this request did not send */
		rc = CS_EINTERNAL;
		goto out;
	}
	char *facts = json_dumps(json_object_get(doc, "session"), JSON_COMPACT);
	rc = facts ? session_answer(out, app, facts, successor) : CS_ENOMEM;
	free(facts);
out:
	json_decref(doc);
	free(verdict);
	return rc;
}

int portal_session_select_account(char **out, struct app *app, const char *session_id,
                                  const char *account_id)
{
	struct random_hashed_token refresh;
	char *facts = NULL;
	int rc;

	*out = NULL;
	if ((rc = random_hashed_token(&refresh)) != CS_OK)
		return rc;
	const char *params[] = {session_id, account_id, refresh.hash};
	if ((rc = db_query_text(&facts, app->db, &select_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	rc = facts ? session_answer(out, app, facts, &refresh) : CS_EINTERNAL;
	free(facts);
	return rc;
}

int portal_session_end(struct app *app, const char *session_id)
{
	const char *params[] = {session_id};
	char *ignored = NULL;
	int rc = db_query_text(&ignored, app->db, &end_stmt, DB_PARAMS(params));

	free(ignored);
	/* This process forgets at once; others hear it through NOTIFY (0008, auth_revoked). */
	http_auth_cache_clear();
	return rc;
}

int portal_session_check(enum portal_session_state *state, struct db_pool *db,
                         const struct access_claims *claims)
{
	const char *account = claims->account_id[0] ? claims->account_id : NULL;
	const char *params[] = {claims->session_id, claims->subject, claims->tenant_id, account};
	char *found = NULL;
	int rc;

	*state = PORTAL_SESSION_ENDED;
	rc = db_query_text(&found, db, &state_stmt, DB_PARAMS(params));
	if (rc == CS_EINVALID) { /* ids that are not UUIDs: no such session */
		cs_error_clear();
		return CS_OK;
	}
	if (rc != CS_OK)
		return rc;
	if (found && !strcmp(found, "active"))
		*state = PORTAL_SESSION_ACTIVE;
	else if (found && !strcmp(found, "portal_disabled"))
		*state = PORTAL_SESSION_PORTAL_DISABLED;
	else if (found && !strcmp(found, "account_unavailable"))
		*state = PORTAL_SESSION_ACCOUNT_UNAVAILABLE;
	free(found);
	return CS_OK;
}
