/*
 * The database connection pool.
 *
 * A unit of work checks a connection out for its whole duration (db_checkout … db_release), runs
 * prepared statements on it (prepared lazily, once per connection) and, when several statements
 * must agree, wraps them in db_begin/db_commit. Checkout waits at most the configured timeout
 * (then CS_EUNAVAILABLE → 503). A connection found broken — the server restarted, the network
 * dropped — is reconnected and its statements re-prepared on the next checkout, so a PostgreSQL
 * restart never needs a server restart.
 */
#ifndef CURBSIDE_DB_POOL_H
#define CURBSIDE_DB_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"
#include "db/sql_params.h"

struct db_pool;
struct db_conn;

/*
 * A named SQL statement. Declare them `static struct db_stmt` beside the code that runs them; the
 * id is assigned on first use. Its parameters are counted from the SQL (the highest $N), and every
 * call passes its values as DB_PARAMS(array), which must have exactly that many.
 */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams; /* db_sql_param_count(sql), counted on first use; -1 until then */
	int id;      /* 0 until first use */
};

#define DB_STMT(n, s)                                                                              \
	{                                                                                          \
		.name = (n), .sql = (s), .nparams = -1, .id = 0                                    \
	}

/* Most statements the process may declare (per-connection bookkeeping is sized by it). */
#define DB_MAX_STMTS 512

/* What the last failed statement of this thread said (SQLSTATE and constraint, "" when none). */
struct db_failure {
	char sqlstate[6];
	char constraint[64];
};

/* Figures for /metrics. */
struct db_pool_stats {
	int size, in_use, waiting;
	unsigned long timeouts, reconnects, retries;
};

/*
 * How often a statement run outside a transaction block is tried when PostgreSQL aborts it as a
 * deadlock victim (40P01) or for a serialization failure (40001). Past the last attempt the
 * request answers 503 database_busy with Retry-After.
 */
#define DB_TRANSIENT_ATTEMPTS 5

/* The Retry-After (seconds) of a 503 caused by the database (busy, or the link lost). */
#define DB_RETRY_AFTER_SECONDS 1

/* A pool of `size` connections to `url` (connected lazily). *out is freed with db_pool_close. */
int db_pool_open(struct db_pool **out, const char *url, int size, int timeout_ms) CS_MUST_CHECK;

/* Close every connection and free the pool (NULL-safe). No checkout may be outstanding. */
void db_pool_close(struct db_pool *pool);

/* Check a connection out, waiting up to the pool timeout. CS_EUNAVAILABLE on timeout or when the
 * database cannot be reached (the last error says which). */
int db_checkout(struct db_conn **out, struct db_pool *pool) CS_MUST_CHECK;

/* Return a connection (NULL-safe). An open transaction is rolled back; a broken link is closed. */
void db_release(struct db_conn *conn);

/*
 * Run `stmt` with `params` (`nparams` text values, NULL for SQL NULL: pass DB_PARAMS(array)). On
 * success *out is the result (free with PQclear). On failure *out is NULL and the return is:
 * CS_EINTERNAL (`nparams` is not the statement's highest $N: nothing was sent), CS_ECONFLICT
 * (unique violation), CS_EINVALID (check, foreign key, not-null, bad text representation),
 * CS_EUNAVAILABLE (connection lost: 503 database_unavailable; or a deadlock or serialization
 * failure still there after DB_TRANSIENT_ATTEMPTS: 503 database_busy), CS_EDB (anything else);
 * db_last_failure() tells the details. Outside a transaction block the statement is its own
 * transaction, so a deadlock or serialization failure runs it again (bounded, with backoff).
 */
int db_exec(PGresult **out, struct db_conn *conn, struct db_stmt *stmt, const char *const *params,
            int nparams) CS_MUST_CHECK;

/* True for the failures PostgreSQL asks the client to retry: 40P01 and 40001. */
bool db_failure_is_transient(const struct db_failure *f);

/* Run a statement for its effect only. Same errors as db_exec. */
int db_run(struct db_conn *conn, struct db_stmt *stmt, const char *const *params,
           int nparams) CS_MUST_CHECK;

/* Run plain SQL without parameters (migrations, transaction control). */
int db_exec_simple(struct db_conn *conn, const char *sql) CS_MUST_CHECK;

/* Transaction control. db_rollback is NULL-safe and never fails from the caller's view. */
int db_begin(struct db_conn *conn) CS_MUST_CHECK;
int db_commit(struct db_conn *conn) CS_MUST_CHECK;
void db_rollback(struct db_conn *conn);

/* The failure details of this thread's last failed statement. */
const struct db_failure *db_last_failure(void);

/* The libpq connection (for code that needs libpq directly, e.g. COPY). */
PGconn *db_conn_pg(struct db_conn *conn);

/* Current figures. */
void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out);

/* True when a connection can be checked out and answers `SELECT 1`. */
bool db_pool_ping(struct db_pool *pool);

/*
 * Readiness without waiting: a free connection answers `SELECT 1`; when every connection is busy,
 * whether the last attempt to connect worked (busy connections are not a broken database).
 */
bool db_pool_ready(struct db_pool *pool);

/*
 * Give up on the work in progress, at the end of a bounded shutdown: cancel every running
 * statement (PQcancel), wake every thread waiting for a connection, and from then on let nobody
 * wait for one (a free connection is still handed out, for the cleanup of the work given up).
 * What was cancelled or refused fails with CS_EUNAVAILABLE, problem `server_stopping` (503). Open
 * transactions are rolled back when their connection is released.
 */
void db_pool_abandon(struct db_pool *pool);

#endif
