#include "api_keys/api_keys_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/random.h"
#include "db/query.h"

#define API_KEY_JSON_SQL                                                                           \
	"json_build_object('id', id, 'name', name, 'prefix', prefix, 'created_at', "               \
	"instant(created_at), 'last_used_at', instant(last_used_at), 'revoked_at', "               \
	"instant(revoked_at))"

/* Looking a key up also stamps its use: at most once per credential-cache period. */
static struct db_stmt identify_stmt =
        DB_STMT("api_keys_identify", "UPDATE api_keys SET last_used_at = now() WHERE key_hash = $1 "
                                     "AND revoked_at IS NULL RETURNING tenant_id, id");

static struct db_stmt create_stmt =
        DB_STMT("api_keys_create",
                "INSERT INTO api_keys (tenant_id, created_by, name, prefix, key_hash) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING json_extend(" API_KEY_JSON_SQL ", 'key', "
                "to_json($6::text))::text");

static struct db_stmt list_stmt =
        DB_STMT("api_keys_list",
                "SELECT json_build_object('items', coalesce(json_agg(" API_KEY_JSON_SQL
                " ORDER BY created_at DESC, id DESC), '[]'::json), 'next_cursor', NULL)::text "
                "FROM api_keys WHERE tenant_id = $1");

static struct db_stmt revoke_stmt =
        DB_STMT("api_keys_revoke", "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) "
                                   "WHERE tenant_id = $1 AND id = $2 RETURNING id::text");

bool api_key_looks_like(const char *token)
{
	return strncmp(token, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0;
}

int api_keys_identify(struct api_key_identity *out, struct db_pool *db, const char *key_hash)
{
	const char *params[] = {key_hash};
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(&res, conn, &identify_stmt, DB_PARAMS(params));
	db_release(conn);
	if (rc != CS_OK)
		return rc;
	if (PQntuples(res) == 1) {
		out->found = true;
		snprintf(out->tenant_id, sizeof(out->tenant_id), "%s", PQgetvalue(res, 0, 0));
		snprintf(out->key_id, sizeof(out->key_id), "%s", PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return CS_OK;
}

int api_keys_create(char **out, struct db_pool *db, const char *tenant_id,
                    const char *staff_user_id, const char *name)
{
	char token[RANDOM_TOKEN_SIZE], key[sizeof(API_KEY_PREFIX) + RANDOM_TOKEN_SIZE];
	char hash[HASH_SHA256_HEX_SIZE], prefix[16];
	int rc;

	*out = NULL;
	if ((rc = random_token(token)) != CS_OK)
		return rc;
	snprintf(key, sizeof(key), "%s%s", API_KEY_PREFIX, token);
	if ((rc = hash_sha256_hex(hash, key, strlen(key))) != CS_OK)
		return rc;
	snprintf(prefix, sizeof(prefix), "%.12s", key);
	const char *params[] = {tenant_id, staff_user_id, name, prefix, hash, key};
	rc = db_query_text(out, db, &create_stmt, DB_PARAMS(params));
	memset(key, 0, sizeof(key));
	return rc;
}

int api_keys_list(char **out, struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};

	return db_query_text(out, db, &list_stmt, DB_PARAMS(params));
}

int api_keys_revoke(struct db_pool *db, const char *tenant_id, const char *key_id)
{
	const char *params[] = {tenant_id, key_id};
	char *id = NULL;
	int rc = db_query_found(&id, db, &revoke_stmt, DB_PARAMS(params), "API key");

	free(id);
	return rc;
}
