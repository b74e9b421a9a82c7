#include "staff/staff_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/jwt.h"
#include "core/log.h"
#include "core/password.h"
#include "core/uuid.h"
#include "core/validate.h"
#include "db/query.h"
#include "db/sql_instant.h"
#include "http/auth.h"
#include "tenants/tenants_service.h"

#define STAFF_JSON_SQL                                                                             \
	"json_build_object('id', id, 'email', email, 'full_name', full_name, 'role', role, "       \
	"'created_at', " SQL_INSTANT("created_at") ")::text"

static struct db_stmt create_stmt =
        DB_STMT("staff_create",
                "INSERT INTO staff_users (tenant_id, email, full_name, role, password_hash) "
                "SELECT id, $2, $3, $4, $5 FROM tenants WHERE slug = $1 RETURNING " STAFF_JSON_SQL);

static struct db_stmt lookup_stmt =
        DB_STMT("staff_login_lookup",
                "SELECT t.id, t.slug, t.name, u.id, u.email, u.full_name, u.role, u.password_hash, "
                "u.disabled_at IS NOT NULL FROM tenants t LEFT JOIN staff_users u "
                "ON u.tenant_id = t.id AND u.email = $2 WHERE t.slug = $1");

static struct db_stmt open_session_stmt =
        DB_STMT("staff_open_session",
                "INSERT INTO sessions (tenant_id, staff_user_id, expires_at, client_address) "
                "VALUES ($1, $2, now() + make_interval(secs => $3::int), $4) RETURNING id");

static struct db_stmt end_session_stmt =
        DB_STMT("staff_end_session", "UPDATE sessions SET revoked_at = now() WHERE id = $1::uuid "
                                     "AND staff_user_id = $2::uuid AND revoked_at IS NULL");

static struct db_stmt session_active_stmt = DB_STMT(
        "staff_session_active",
        "SELECT 1 FROM sessions s JOIN staff_users u ON u.id = s.staff_user_id "
        "AND u.tenant_id = s.tenant_id WHERE s.id = $1::uuid AND s.staff_user_id = $2::uuid "
        "AND s.tenant_id = $3::uuid AND s.revoked_at IS NULL AND s.expires_at > now() "
        "AND u.disabled_at IS NULL");

int staff_create(char **out, struct db_pool *db, const char *slug, const struct staff_new *in)
{
	char hash[PASSWORD_HASH_SIZE];
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	/* Hash before taking a connection: the pool must not wait on argon2. */
	if ((rc = password_hash(hash, in->password)) != CS_OK)
		return rc;
	const char *params[] = {slug, in->email, in->full_name, in->role, hash};
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(&res, conn, &create_stmt, DB_PARAMS(params));
	db_release(conn);
	if (rc != CS_OK)
		return rc;
	if (PQntuples(res) == 0)
		rc = tenants_not_found(slug);
	else if (!(*out = strdup(PQgetvalue(res, 0, 0))))
		rc = CS_ENOMEM;
	PQclear(res);
	return rc;
}

/* The account row of a login attempt, copied out so the connection can go back before hashing. */
struct login_row {
	char tenant_id[UUID_TEXT_SIZE], tenant_slug[64], tenant_name[256];
	char user_id[UUID_TEXT_SIZE], email[VALIDATE_EMAIL_MAX + 1], full_name[256], role[16];
	char password_hash[PASSWORD_HASH_SIZE];
	bool user_found;
	bool disabled; /* an admin disabled the user: login is refused once the password is right */
};

static int load_login_row(struct login_row *row, struct db_pool *db, const char *slug,
                          const char *email)
{
	const char *params[] = {slug, email};
	PGresult *res = NULL;
	int rc;

	memset(row, 0, sizeof(*row));
	if ((rc = db_query_result(&res, db, &lookup_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return tenants_not_found(slug);
	}
	db_copy_cell(row->tenant_id, sizeof(row->tenant_id), res, 0);
	db_copy_cell(row->tenant_slug, sizeof(row->tenant_slug), res, 1);
	db_copy_cell(row->tenant_name, sizeof(row->tenant_name), res, 2);
	row->user_found = !PQgetisnull(res, 0, 3);
	if (row->user_found) {
		db_copy_cell(row->user_id, sizeof(row->user_id), res, 3);
		db_copy_cell(row->email, sizeof(row->email), res, 4);
		db_copy_cell(row->full_name, sizeof(row->full_name), res, 5);
		db_copy_cell(row->role, sizeof(row->role), res, 6);
		db_copy_cell(row->password_hash, sizeof(row->password_hash), res, 7);
		row->disabled = PQgetvalue(res, 0, 8)[0] == 't';
	}
	PQclear(res);
	return CS_OK;
}

static int open_session(char session_id[UUID_TEXT_SIZE], struct db_pool *db,
                        const struct login_row *row, const char *client_address)
{
	char ttl[16];
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	snprintf(ttl, sizeof(ttl), "%d", ACCESS_TOKEN_TTL);
	const char *params[] = {row->tenant_id, row->user_id, ttl, client_address};
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(&res, conn, &open_session_stmt, DB_PARAMS(params));
	db_release(conn);
	if (rc == CS_OK)
		snprintf(session_id, UUID_TEXT_SIZE, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

static int session_json(char **out, const struct login_row *row, const char *token)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}}",
	                        "access_token", token, "token_type", "Bearer", "expires_in",
	                        ACCESS_TOKEN_TTL, "staff", "id", row->user_id, "email", row->email,
	                        "full_name", row->full_name, "role", row->role, "tenant", "id",
	                        row->tenant_id, "slug", row->tenant_slug, "name", row->tenant_name);

	*out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *out ? CS_OK : CS_ENOMEM;
}

int staff_login(char **out, struct app *app, const char *slug, const char *email,
                const char *password, const char *client_address)
{
	char email_key[400], address_key[96], *token = NULL;
	struct throttle_pair attempts = {app->login_by_email, email_key, app->login_by_address,
	                                 address_key};
	struct login_row row;
	time_t now = time(NULL);
	bool match = false;
	int rc;

	*out = NULL;
	snprintf(email_key, sizeof(email_key), "staff|%s|%s", slug, email);
	snprintf(address_key, sizeof(address_key), "addr|%s", client_address);
	/* Reserved before hashing, so simultaneous guesses cannot outrun the count. */
	if ((rc = throttle_pair_reserve(&attempts)) != CS_OK)
		return rc;
	/* An unknown email still pays for a hash, so timing tells nothing. */
	if ((rc = load_login_row(&row, app->db, slug, email)) == CS_OK &&
	    (rc = password_verify_login(&match, row.user_found ? row.password_hash : NULL,
	                                password)) == CS_OK &&
	    !match)
		rc = cs_error_set(CS_EUNAUTHORIZED, "invalid_credentials",
		                  "The email or password is incorrect.");
	throttle_pair_finish(&attempts, rc == CS_OK              ? THROTTLE_SUCCEEDED
	                                : rc == CS_EUNAUTHORIZED ? THROTTLE_FAILED
	                                                         : THROTTLE_NEUTRAL);
	if (rc != CS_OK)
		return rc;
	/* Said only to someone who knows the password, so it reveals nothing to a guesser. */
	if (row.disabled)
		return cs_error_set(CS_EFORBIDDEN, "staff_user_disabled",
		                    "This staff account has been disabled. Ask an admin of %s to "
		                    "enable it.",
		                    row.tenant_name);

	struct access_claims claims = {0};
	if ((rc = open_session(claims.session_id, app->db, &row, client_address)) != CS_OK)
		return rc;
	snprintf(claims.audience, sizeof(claims.audience), "staff");
	snprintf(claims.subject, sizeof(claims.subject), "%s", row.user_id);
	snprintf(claims.tenant_id, sizeof(claims.tenant_id), "%s", row.tenant_id);
	snprintf(claims.role, sizeof(claims.role), "%s", row.role);
	if ((rc = access_token_issue(&token, &app->keys, &claims, now)) != CS_OK)
		return rc;
	rc = session_json(out, &row, token);
	free(token);
	LOG_INFO("staff login tenant=%s user=%s", row.tenant_slug, row.user_id);
	return rc;
}

int staff_session_active(bool *active, struct db_pool *db, const char *session_id,
                         const char *user_id, const char *tenant_id)
{
	const char *params[] = {session_id, user_id, tenant_id};
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	*active = false;
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(&res, conn, &session_active_stmt, DB_PARAMS(params));
	db_release(conn);
	if (rc == CS_EINVALID) /* ids that are not UUIDs: no such session */
		return CS_OK;
	if (rc == CS_OK)
		*active = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

int staff_session_end(struct db_pool *db, const char *session_id, const char *user_id)
{
	const char *params[] = {session_id, user_id};
	PGresult *res = NULL;
	int rc = db_query_result(&res, db, &end_session_stmt, DB_PARAMS(params));

	PQclear(res);
	/* This process forgets at once; others hear it through NOTIFY (0008, auth_revoked). */
	http_auth_cache_clear();
	return rc;
}
