#include "db/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_query_result(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                    const char *const *params)
{
	struct db_conn *conn = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_checkout(&conn, db)) != CS_OK)
		return rc;
	rc = db_exec(out, conn, stmt, params);
	db_release(conn);
	return rc;
}

void db_copy_cell(char *dst, size_t cap, const PGresult *res, int col)
{
	snprintf(dst, cap, "%s", PQgetvalue(res, 0, col));
}

int db_query_text(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params)
{
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query_result(&res, db, stmt, params)) != CS_OK)
		return rc;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) &&
	    !(*out = strdup(PQgetvalue(res, 0, 0))))
		rc = CS_ENOMEM;
	PQclear(res);
	return rc;
}

int db_query_text_json(char **out, struct db_pool *db, struct db_stmt *stmt, const char **params,
                       int json_param, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	int rc;

	*out = NULL;
	if (!text)
		return CS_ENOMEM;
	params[json_param] = text;
	rc = db_query_text(out, db, stmt, params);
	params[json_param] = NULL;
	free(text);
	return rc;
}

int db_query_found(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                   const char *what)
{
	int rc = db_query_text(out, db, stmt, params);

	if (rc == CS_OK && !*out)
		return cs_error_set(CS_ENOTFOUND, "not_found", "There is no %s with this id.",
		                    what);
	return rc;
}
