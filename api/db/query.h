/* One-statement units of work: the common case of a service call that is a single SQL statement. */
#ifndef CURBSIDE_DB_QUERY_H
#define CURBSIDE_DB_QUERY_H

#include <jansson.h>

#include "db/json_rows.h"
#include "db/pool.h"

/*
 * Every function here takes the statement's values as DB_PARAMS(array) (the array and its
 * length), checked against the statement's placeholders as db_exec does.
 */

/*
 * Run `stmt` on a connection checked out for the call and released before returning; `*out` is
 * the whole result (the caller PQclears it). Errors as db_exec.
 */
int db_query_result(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                    const char *const *params, int nparams) CS_MUST_CHECK;

/*
 * As db_query_result, for a statement that records what already happened elsewhere (a charge the
 * processor made) and is idempotent: while the database cannot be reached (503
 * database_unavailable: a failover between the primary stopping and the standby taking over, or
 * a restart), try again every 250 ms for up to `wait_ms`. Anything else, and a server that is
 * stopping, returns at once.
 */
int db_query_result_waiting(PGresult **out, struct db_pool *db, struct db_stmt *stmt,
                            const char *const *params, int nparams, int wait_ms) CS_MUST_CHECK;

/* Copy the text of cell (row 0, `col`) of `res` into `dst` (`cap` bytes, truncated). */
void db_copy_cell(char *dst, size_t cap, const PGresult *res, int col);

/*
 * Run `stmt` on a connection checked out for the call. On success `*out` is a copy of the first
 * cell of the first row (the caller frees it), or NULL when the statement returned no row.
 * Errors as db_exec (problems the database raised are already recorded).
 */
int db_query_text(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                  int nparams) CS_MUST_CHECK;

/* Marks the one value of a params array that db_query_text_json fills with its document. */
extern const char db_json_param[];
#define DB_JSON db_json_param

/*
 * As db_query_text, with `doc` serialised in place of the one DB_JSON value of `params` (put back
 * before returning). No DB_JSON value, or several, is CS_EINTERNAL.
 */
int db_query_text_json(char **out, struct db_pool *db, struct db_stmt *stmt, const char **params,
                       int nparams, const json_t *doc) CS_MUST_CHECK;

/*
 * Run `stmt`, a plain SELECT of one more row than the page (LIMIT size + 1), on a connection
 * checked out for the call, and write the page's JSON text into `*out` (the caller frees it):
 * json_rows_page with `shape`, `size` and `keys`. Errors as db_exec, and json_rows_page's.
 */
int db_query_page(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                  int nparams, const struct json_shape *shape, int size,
                  struct json_page_keys keys) CS_MUST_CHECK;

/* As db_query_text, but no row is CS_ENOTFOUND ("There is no <what> with this id."). */
int db_query_found(char **out, struct db_pool *db, struct db_stmt *stmt, const char *const *params,
                   int nparams, const char *what) CS_MUST_CHECK;

#endif
