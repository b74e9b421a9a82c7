/* One-statement units of work: the common case of a service call that is a single SQL statement. */
#ifndef CURBSIDE_DB_QUERY_H
#define CURBSIDE_DB_QUERY_H

#include <jansson.h>

#include "db/pool.h"

/*
 * Run `stmt` on a connection checked out for the call and released before returning; `*out` is
 * the whole result (the caller PQclears it). Errors as db_exec.
 */
int db_query_result(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                    const char *const *params) CS_MUST_CHECK;

/* Copy the text of cell (row 0, `col`) of `res` into `dst` (`cap` bytes, truncated). */
void db_copy_cell(char *dst, size_t cap, const PGresult *res, int col);

/*
 * Run `stmt` on a connection checked out for the call. On success `*out` is a copy of the first
 * cell of the first row (the caller frees it), or NULL when the statement returned no row.
 * Errors as db_exec (problems the database raised are already recorded).
 */
int db_query_text(char **out, struct db_pool *db, struct db_stmt *stmt,
                  const char *const *params) CS_MUST_CHECK;

/*
 * As db_query_text, with `doc` serialised as the parameter at index `json_param` (params has room
 * for it; its value there is replaced).
 */
int db_query_text_json(char **out, struct db_pool *db, struct db_stmt *stmt, const char **params,
                       int json_param, const json_t *doc) CS_MUST_CHECK;

/* As db_query_text, but no row is CS_ENOTFOUND ("There is no <what> with this id."). */
int db_query_found(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                   const char *what) CS_MUST_CHECK;

#endif
