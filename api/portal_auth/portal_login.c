#include "portal_auth/portal_login.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/password.h"
#include "core/uuid.h"
#include "db/pool.h"
#include "db/query.h"
#include "db/throttle.h"
#include "portal_auth/portal_sessions.h"
#include "tenants/tenants_service.h"

static struct db_stmt lookup_stmt =
        DB_STMT("portal_login_lookup",
                "SELECT t.id, t.portal_enabled, u.id, u.password_hash, u.login_method "
                "FROM tenants t LEFT JOIN portal_users u ON u.tenant_id = t.id AND u.email = $2 "
                "WHERE t.slug = $1");

/* What sign-in needs of the tenant and the user, copied out so hashing holds no connection. */
struct login_row {
	char tenant_id[UUID_TEXT_SIZE];
	bool portal_enabled;
	bool user_found;
	char user_id[UUID_TEXT_SIZE];
	char login_method[16];
	char password_hash[PASSWORD_HASH_SIZE];
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
	row->portal_enabled = PQgetvalue(res, 0, 1)[0] == 't';
	row->user_found = !PQgetisnull(res, 0, 2);
	if (row->user_found) {
		db_copy_cell(row->user_id, sizeof(row->user_id), res, 2);
		db_copy_cell(row->password_hash, sizeof(row->password_hash), res, 3);
		db_copy_cell(row->login_method, sizeof(row->login_method), res, 4);
	}
	PQclear(res);
	return CS_OK;
}

/* Check the password of a user (or a dummy one: an unknown email costs the same hash); the
 * attempt was reserved by the caller. */
static int check_password(const struct login_row *row, const char *password)
{
	bool match = false;
	int rc;

	if (!row->portal_enabled)
		return cs_error_set(CS_EFORBIDDEN, "portal_disabled",
		                    "This online account portal is not available.");
	/* Rule 6: say so plainly rather than "wrong password" (see docs/decisions.md). */
	if (row->user_found && strcmp(row->login_method, "google") == 0)
		return cs_error_set(
		        CS_ECONFLICT, "google_login_required",
		        "This account signs in with Google. Use \"Sign in with Google\".");
	rc = password_verify_login(&match, row->user_found ? row->password_hash : NULL, password);
	if (rc == CS_OK && !match)
		rc = cs_error_set(CS_EUNAUTHORIZED, "invalid_credentials",
		                  "The email or password is incorrect.");
	return rc;
}

int portal_login(char **out, struct app *app, const struct portal_login_request *req)
{
	char email_key[400], address_key[96];
	struct throttle_pair attempts = {app->login_by_email, email_key, app->login_by_address,
	                                 address_key};
	struct login_row row;
	int rc;

	*out = NULL;
	snprintf(email_key, sizeof(email_key), "portal|%s|%s", req->tenant_slug, req->email);
	snprintf(address_key, sizeof(address_key), "addr|%s", req->client_address);
	/* Reserved before hashing, so simultaneous guesses cannot outrun the count. */
	if ((rc = throttle_pair_reserve(&attempts)) != CS_OK)
		return rc;
	if ((rc = load_login_row(&row, app->db, req->tenant_slug, req->email)) == CS_OK)
		rc = check_password(&row, req->password);
	throttle_pair_finish(&attempts, rc == CS_OK              ? THROTTLE_SUCCEEDED
	                                : rc == CS_EUNAUTHORIZED ? THROTTLE_FAILED
	                                                         : THROTTLE_NEUTRAL);
	if (rc != CS_OK)
		return rc;
	rc = portal_session_open(out, app, row.tenant_id, row.user_id, req->account_id,
	                         req->client_address);
	if (rc == CS_OK)
		LOG_INFO("portal login tenant=%s user=%s", req->tenant_slug, row.user_id);
	return rc;
}
