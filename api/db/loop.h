/*
 * A background loop: a thread with its own PostgreSQL connection (not the pool's) that LISTENs on
 * one channel and runs a round of work whenever a notification arrives, the poll interval passes
 * or the connection is (re)made — notifications sent while it was away were missed. The mail and
 * jobs workers and the credential-revocation listener are such loops.
 *
 * The connection is made without blocking, so a stop is heard even while the database is away,
 * and re-made after any failure. The thread blocks every signal: SIGTERM and SIGINT belong to the
 * main thread's clean shutdown.
 */
#ifndef CURBSIDE_DB_LOOP_H
#define CURBSIDE_DB_LOOP_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"
#include "db/sql_params.h"

struct db_loop;

/*
 * One round of work on `conn` (the loop's connection, LISTENing). Return true to run another
 * round at once (more work is due), false to wait for a notification or the poll interval. A
 * round should check db_loop_stopping() between long steps.
 */
typedef bool (*db_loop_round)(struct db_loop *loop, PGconn *conn, void *arg);

struct db_loop_spec {
	const char *name;    /* for log lines: "mail worker" */
	const char *url;     /* the database */
	const char *channel; /* what to LISTEN on */
	int poll_seconds;    /* the longest wait between rounds */
	db_loop_round round;
	void *arg;
};

/* Start the loop's thread. `*out` is freed by db_loop_stop. The strings of `spec` are copied. */
int db_loop_start(struct db_loop **out, const struct db_loop_spec *spec) CS_MUST_CHECK;

/* Ask the loop to stop, wake it at once, wait for its round to end and free it (NULL-safe). */
void db_loop_stop(struct db_loop *loop);

/* True once db_loop_stop was called: a round in progress should wind up. */
bool db_loop_stopping(const struct db_loop *loop);

/*
 * Run one statement of a round on `conn` whose answer is one text cell: *out is a copy (caller
 * frees; NULL for no row or SQL NULL). A failure is logged under `who` with PostgreSQL's primary
 * message only (a DETAIL line may quote a customer's data); CS_EUNAVAILABLE when the connection
 * is gone, CS_EDB otherwise, CS_ENOMEM. The values come as DB_PARAMS(array); a count other than
 * the highest $N of `sql` is CS_EINTERNAL before anything is sent.
 */
int db_loop_query_text(char **out, PGconn *conn, const char *who, const char *sql,
                       const char *const *params, int nparams) CS_MUST_CHECK;

/*
 * As db_loop_query_text for a statement answering a JSON array (a claimed batch): *out is the
 * parsed array (caller decrefs); CS_EINTERNAL when the answer is not one.
 */
int db_loop_query_array(json_t **out, PGconn *conn, const char *who, const char *sql,
                        const char *const *params, int nparams) CS_MUST_CHECK;

#endif
