#include "me/me_service.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json_text.h"
#include "core/password.h"
#include "db/json_rows.h"
#include "db/query.h"
#include "db/throttle.h"
#include "http/auth.h"

/*
 * The signed-in user and the accounts it may open, as plain columns: one row per account, by
 * name (the user's columns repeated), or one row with NULL account columns when it may open
 * none. me_read writes the JSON, as portal_me_json() in db/functions/portal_me.sql writes it
 * for the PATCH.
 */
static struct db_stmt read_stmt = DB_STMT(
        "me_read",
        "SELECT u.id, u.email, u.full_name, u.login_method, instant(u.created_at), c.id, "
        "c.account_number, c.name FROM portal_users u LEFT JOIN (portal_user_accounts a JOIN "
        "customers c ON c.tenant_id = a.tenant_id AND c.id = a.customer_id AND "
        "c.portal_enabled) ON a.tenant_id = u.tenant_id AND a.user_id = u.id WHERE "
        "u.tenant_id = $1::uuid AND u.id = $2::uuid ORDER BY c.name, c.id");

static const struct json_column user_columns[] = {
        {"id", COL_STRING},           {"email", COL_STRING},      {"full_name", COL_STRING},
        {"login_method", COL_STRING}, {"created_at", COL_STRING},
};
static const struct json_shape user_shape = JSON_SHAPE(user_columns);

static const struct json_column account_columns[] = {
        {"id", COL_STRING},
        {"account_number", COL_STRING},
        {"name", COL_STRING},
};
static const struct json_shape account_shape = JSON_SHAPE_AT(account_columns, 5);

static struct db_stmt update_stmt =
        DB_STMT("me_update", "SELECT portal_me_update($1::uuid, $2::uuid, $3::uuid, $4)::text");

static struct db_stmt password_stmt =
        DB_STMT("me_password", "SELECT coalesce(password_hash, ''), login_method FROM portal_users "
                               "WHERE tenant_id = $1::uuid AND id = $2::uuid");

static struct db_stmt change_stmt =
        DB_STMT("me_password_change",
                "SELECT portal_password_change($1::uuid, $2::uuid, $3, $4, $5::uuid)::text");

static const char *account_of(const struct principal *who)
{
	return who->account_id[0] ? who->account_id : NULL;
}

/* {user..., "accounts": [...], "account_id": ...} from read_stmt's rows. */
static char *me_json(const PGresult *res, const char *account_id)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_append(&b, "{", 1);
	json_rows_members(&b, res, 0, &user_shape);
	strbuf_append(&b, ",\"accounts\":[", 13);
	for (int row = 0; row < PQntuples(res) && !PQgetisnull(res, row, 5); row++) {
		if (row)
			strbuf_append(&b, ",", 1);
		json_rows_object(&b, res, row, &account_shape);
	}
	strbuf_append(&b, "],\"account_id\":", 15);
	json_text_string(&b, account_id);
	strbuf_append(&b, "}", 1);
	return strbuf_detach(&b, NULL);
}

int me_read(char **out, struct db_pool *db, const struct principal *who)
{
	const char *params[] = {who->tenant_id, who->user_id};
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query_result(&res, db, &read_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	if (!json_shape_fits(&account_shape, res)) {
		rc = cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
	} else if (PQntuples(res) == 0) {
		rc = cs_error_set(CS_ENOTFOUND, "not_found",
		                  "There is no portal user with this id.");
	} else if (!(*out = me_json(res, account_of(who)))) {
		rc = CS_ENOMEM;
	}
	PQclear(res);
	return rc;
}

int me_update(char **out, struct db_pool *db, const struct principal *who, const char *full_name)
{
	const char *params[] = {who->tenant_id, who->user_id, account_of(who), full_name};

	return db_query_found(out, db, &update_stmt, DB_PARAMS(params), "portal user");
}

/* The stored hash and sign-in method of `who`. */
static int load_password(char hash[PASSWORD_HASH_SIZE], bool *google, struct db_pool *db,
                         const struct principal *who)
{
	const char *params[] = {who->tenant_id, who->user_id};
	PGresult *res = NULL;
	int rc;

	if ((rc = db_query_result(&res, db, &password_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cs_error_set(CS_ENOTFOUND, "not_found", "There is no such portal user.");
	}
	db_copy_cell(hash, PASSWORD_HASH_SIZE, res, 0);
	*google = strcmp(PQgetvalue(res, 0, 1), "google") == 0 || !hash[0];
	PQclear(res);
	return CS_OK;
}

int me_change_password(struct app *app, const struct principal *who, const char *current,
                       const char *replacement)
{
	char old_hash[PASSWORD_HASH_SIZE], new_hash[PASSWORD_HASH_SIZE], key[64], *changed = NULL;
	bool google = false, match = false, wrong = false;
	int rc;

	/* A stolen access token must not become a password oracle: count failures per user, in the
	 * table that counts sign-in failures per email. */
	snprintf(key, sizeof(key), "me|%s", who->user_id);
	if ((rc = throttle_admit(app->login_by_email, key, "failed sign-in attempts")) != CS_OK)
		return rc;
	if ((rc = load_password(old_hash, &google, app->db, who)) == CS_OK && google)
		rc = cs_error_set(
		        CS_ECONFLICT, "google_login_required",
		        "This account signs in with Google and has no password to change.");
	if (rc == CS_OK && (rc = password_verify(&match, old_hash, current)) == CS_OK && !match) {
		wrong = true;
		rc = cs_error_set(CS_EINVALID, "invalid_current_password",
		                  "The current password is incorrect.");
		cs_error_set_field("current_password");
	}
	throttle_finish(app->login_by_email, key,
	                rc == CS_OK ? THROTTLE_SUCCEEDED
	                            : (wrong ? THROTTLE_FAILED : THROTTLE_NEUTRAL));
	if (rc != CS_OK)
		return rc;
	if ((rc = password_hash(new_hash, replacement)) != CS_OK)
		return rc;
	const char *params[] = {who->tenant_id, who->user_id, old_hash, new_hash, who->session_id};
	if ((rc = db_query_text(&changed, app->db, &change_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	bool done = changed && !strcmp(changed, "true");
	free(changed);
	http_auth_cache_clear();
	if (!done)
		return cs_error_set(CS_ECONFLICT, "password_changed",
		                    "The password was changed meanwhile; sign in again.");
	return CS_OK;
}
