#include "db/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/stopping.h"

const char db_json_param[] = "(the JSON document)";

int db_query_result(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                    const char *const *params, int nparams)
{
	struct db_conn *conn = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(out, conn, stmt, params, nparams);
	db_release(conn);
	return rc;
}

#define WAITING_STEP_MS 250

static bool database_away(int rc)
{
	const struct cs_error *e = cs_error_last();

	return rc == CS_EUNAVAILABLE && !stopping_abandoned() && e &&
	       !strcmp(e->code, "database_unavailable");
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int db_query_result_waiting(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                            const char *const *params, int nparams, int wait_ms)
{
	const long long start = monotonic_ms();
	int rc;

	while (database_away(rc = db_query_result(out, db, stmt, params, nparams)) &&
	       monotonic_ms() - start < wait_ms) {
		struct timespec step = {.tv_nsec = WAITING_STEP_MS * 1000000L};
		nanosleep(&step, NULL);
	}
	if (rc == CS_OK && monotonic_ms() - start >= WAITING_STEP_MS)
		LOG_INFO("%s recorded after waiting %lld ms for the database", stmt->name,
		         monotonic_ms() - start);
	return rc;
}

void db_copy_cell(char *dst, size_t cap, const PGresult *res, int col)
{
	snprintf(dst, cap, "%s", PQgetvalue(res, 0, col));
}

int db_query_text(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                  int nparams)
{
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query_result(&res, db, stmt, params, nparams)) != CS_OK)
		return rc;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) &&
	    !(*out = strdup(PQgetvalue(res, 0, 0))))
		rc = CS_ENOMEM;
	PQclear(res);
	return rc;
}

int db_query_page(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                  int nparams, const struct json_shape *shape, int size, struct json_page_keys keys)
{
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query_result(&res, db, stmt, params, nparams)) != CS_OK)
		return rc;
	rc = json_rows_page(out, res, shape, size, keys);
	PQclear(res);
	return rc;
}

int db_query_text_json(char **out, struct db_pool *db, struct db_stmt *stmt, const char **params,
                       int nparams, const json_t *doc)
{
	int slot = db_params_slot(params, nparams, DB_JSON);
	char *text = NULL;
	int rc;

	*out = NULL;
	if (slot < 0) {
		LOG_ERROR("statement %s needs exactly one DB_JSON value", stmt->name);
		return cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
	}
	if (!(text = json_dumps(doc, JSON_COMPACT)))
		return CS_ENOMEM;
	params[slot] = text;
	rc = db_query_text(out, db, stmt, params, nparams);
	params[slot] = db_json_param;
	free(text);
	return rc;
}

int db_query_found(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                   int nparams, const char *what)
{
	int rc = db_query_text(out, db, stmt, params, nparams);

	if (rc == CS_OK && !*out)
		return cs_error_set(CS_ENOTFOUND, "not_found", "There is no %s with this id.",
		                    what);
	return rc;
}
