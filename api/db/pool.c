#include "db/pool.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/stopping.h"
#include "db/audit_actor.h"
#include "db/constraint_errors.h"

struct db_conn {
	struct db_pool *pool;
	PGconn *pg;
	PGcancel *cancel; /* for db_pool_abandon; changed under the pool's lock */
	bool busy;
	bool read_only; /* its server refused a write: drop the link at release (a failover) */
	long long released_ms; /* monotonic time of the last release, for the link check */
	unsigned char prepared[DB_MAX_STMTS];
	/* The curbside.actor this link has (db/audit_actor.h): "" for none, ACTOR_UNKNOWN when a
	 * set failed and the server's value is not known. */
	char actor[AUDIT_ACTOR_SIZE];
};

/* Never a real actor (those are "" or a JSON object): the next checkout sets it again. */
#define ACTOR_UNKNOWN "?"

/* A connection idle for longer than this is checked for a lost link at checkout (below). */
#define LINK_CHECK_IDLE_MS 1000

/*
 * A thread waiting for a connection; it lives on the waiter's stack while it is queued. Whoever
 * takes it off the queue (give_slot, db_pool_abandon) does so under the pool's lock and posts
 * `handed` after letting go of the lock: the woken thread then runs on without touching the lock.
 * (With a condition variable signalled under the lock, the woken thread went straight back to
 * sleep on the mutex the signaller still held: two context switches per hand-over.)
 */
struct pool_waiter {
	sem_t handed;
	struct db_conn *conn; /* set when the connection is handed over; NULL once abandoned */
	bool dequeued;        /* taken off the queue: `handed` is posted, or about to be */
	struct pool_waiter *next;
};

struct db_pool {
	char *url;
	int size;
	int timeout_ms;
	pthread_mutex_t lock;
	/* Waiters in arrival order: a freed connection goes to the oldest one, never to a newcomer,
	 * so the wait for a connection is first come, first served (a plain condition variable
	 * let late arrivals barge and gave p99 waits ten times the median). */
	struct pool_waiter *head, *tail;
	int in_use, waiting;
	bool abandoned;   /* db_pool_abandon was called: nobody waits for a connection */
	bool unreachable; /* the last attempt to connect failed */
	atomic_ulong timeouts, reconnects, retries;
	struct db_conn *conns;
};

static atomic_int next_stmt_id;
static _Thread_local struct db_failure last_failure;

static int stmt_id(struct db_stmt *stmt)
{
	int id = __atomic_load_n(&stmt->id, __ATOMIC_ACQUIRE);

	if (id == 0) {
		int fresh = atomic_fetch_add(&next_stmt_id, 1) + 1;
		int expected = 0;
		/* Two threads may race on first use: the loser adopts the winner's id. */
		if (__atomic_compare_exchange_n(&stmt->id, &expected, fresh, false,
		                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			id = fresh;
		else
			id = expected;
	}
	return id;
}

/* The number of values `stmt` takes, read from its SQL on first use (racing threads count the
 * same). */
static int stmt_nparams(struct db_stmt *stmt)
{
	int n = __atomic_load_n(&stmt->nparams, __ATOMIC_ACQUIRE);

	if (n < 0) {
		n = db_sql_param_count(stmt->sql);
		__atomic_store_n(&stmt->nparams, n, __ATOMIC_RELEASE);
	}
	return n;
}

static bool pool_abandoned(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	bool abandoned = pool->abandoned;
	pthread_mutex_unlock(&pool->lock);
	return abandoned;
}

int db_pool_open(struct db_pool **out, const char *url, int size, int timeout_ms)
{
	struct db_pool *pool = calloc(1, sizeof(*pool));

	*out = NULL;
	if (!pool)
		return CS_ENOMEM;
	pool->url = strdup(url);
	pool->conns = calloc((size_t)size, sizeof(*pool->conns));
	if (!pool->url || !pool->conns) {
		free(pool->url);
		free(pool->conns);
		free(pool);
		return CS_ENOMEM;
	}
	pool->size = size;
	pool->timeout_ms = timeout_ms;
	pthread_mutex_init(&pool->lock, NULL);
	for (int i = 0; i < size; i++)
		pool->conns[i].pool = pool;
	*out = pool;
	return CS_OK;
}

void db_pool_close(struct db_pool *pool)
{
	if (!pool)
		return;
	for (int i = 0; i < pool->size; i++) {
		PQfreeCancel(pool->conns[i].cancel);
		if (pool->conns[i].pg)
			PQfinish(pool->conns[i].pg);
	}
	pthread_mutex_destroy(&pool->lock);
	free(pool->conns);
	free(pool->url);
	free(pool);
}

static void deadline_after_ms(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* A free slot, preferring one that is already connected; NULL when all are busy. */
static struct db_conn *free_slot(struct db_pool *pool)
{
	struct db_conn *conn = NULL;

	for (int i = 0; i < pool->size; i++) {
		struct db_conn *c = &pool->conns[i];
		if (!c->busy && (!conn || (c->pg && !conn->pg)))
			conn = c;
	}
	if (conn) {
		conn->busy = true;
		pool->in_use++;
	}
	return conn;
}

static void unqueue(struct db_pool *pool, struct pool_waiter *w)
{
	struct pool_waiter **link = &pool->head, *prev = NULL;

	while (*link && *link != w) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link)
		return;
	*link = w->next;
	if (pool->tail == w)
		pool->tail = prev;
}

/* Take the oldest waiter off the queue. Called with the lock held; post its `handed` after. */
static struct pool_waiter *dequeue_oldest(struct db_pool *pool)
{
	struct pool_waiter *w = pool->head;

	if (w) {
		pool->head = w->next;
		if (!pool->head)
			pool->tail = NULL;
		w->dequeued = true;
		pool->waiting--;
	}
	return w;
}

/*
 * Queue behind earlier waiters until a slot is handed over or the deadline passes. Called with the
 * lock held, returns without it.
 */
static struct db_conn *wait_for_slot(struct db_pool *pool)
{
	struct pool_waiter w = {.conn = NULL, .dequeued = false, .next = NULL};
	struct timespec deadline;
	int rc;

	sem_init(&w.handed, 0, 0);
	deadline_after_ms(&deadline, pool->timeout_ms);
	if (pool->tail)
		pool->tail->next = &w;
	else
		pool->head = &w;
	pool->tail = &w;
	pool->waiting++;
	pthread_mutex_unlock(&pool->lock);
	while ((rc = sem_timedwait(&w.handed, &deadline)) != 0 && errno == EINTR)
		;
	if (rc != 0) { /* timed out: leave the queue, unless a hand-over is already on its way */
		pthread_mutex_lock(&pool->lock);
		bool dequeued = w.dequeued;
		if (!dequeued) {
			unqueue(pool, &w);
			pool->waiting--;
		}
		pthread_mutex_unlock(&pool->lock);
		if (dequeued) /* its post is coming: `w` must outlive it */
			while (sem_wait(&w.handed) != 0 && errno == EINTR)
				;
	}
	sem_destroy(&w.handed);
	return w.conn;
}

/* Take a slot: a free one when nobody is queued, else wait in line. NULL on timeout, or at once
 * when none is free after db_pool_abandon. */
static struct db_conn *take_slot(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	/* Once abandoned, nobody waits: a free connection still serves the cleanup of a request
	 * that was given up (releasing its idempotency claim, say). */
	struct db_conn *conn = pool->head && !pool->abandoned ? NULL : free_slot(pool);
	if (!conn && !pool->abandoned)
		return wait_for_slot(pool);
	pthread_mutex_unlock(&pool->lock);
	return conn;
}

/* Hand the slot to the oldest waiter (it stays busy), or free it. */
static void give_slot(struct db_conn *conn)
{
	struct db_pool *pool = conn->pool;

	pthread_mutex_lock(&pool->lock);
	struct pool_waiter *w = dequeue_oldest(pool);
	if (w) {
		w->conn = conn;
	} else {
		conn->busy = false;
		pool->in_use--;
	}
	pthread_mutex_unlock(&pool->lock);
	if (w)
		sem_post(&w->handed);
}

/* Record whether connecting worked, and the link's cancel handle, for the other threads. */
static void note_link(struct db_conn *conn, PGcancel *cancel, bool reachable)
{
	struct db_pool *pool = conn->pool;

	pthread_mutex_lock(&pool->lock);
	PQfreeCancel(conn->cancel);
	conn->cancel = cancel;
	pool->unreachable = !reachable;
	pthread_mutex_unlock(&pool->lock);
}

static void drop_link(struct db_conn *conn)
{
	if (conn->cancel) {
		pthread_mutex_lock(&conn->pool->lock);
		PQfreeCancel(conn->cancel);
		conn->cancel = NULL;
		pthread_mutex_unlock(&conn->pool->lock);
	}
	if (conn->pg)
		PQfinish(conn->pg);
	conn->pg = NULL;
	conn->read_only = false;
	conn->actor[0] = '\0'; /* a new session starts without the setting */
	memset(conn->prepared, 0, sizeof(conn->prepared));
}

static int sync_actor(struct db_conn *conn);
static int sync_actor_relinking(struct db_conn *conn);

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether a connection back from rest should be checked for a lost link. A connection handed on
 * within the last second skips the check (a read that finds nothing, one system call a request
 * under load); a restart in that second is still caught when the statement fails, and a statement
 * outside a transaction then reconnects and runs again (db_exec).
 */
static bool link_needs_check(const struct db_conn *conn)
{
	return monotonic_ms() - conn->released_ms > LINK_CHECK_IDLE_MS;
}

/*
 * Make sure the slot holds a live connection. An idle connection whose server went away has an
 * EOF or a FATAL notice waiting on its socket: PQconsumeInput reads it without blocking and marks
 * the connection bad, so a restart is noticed before a statement is sent on a dead link.
 */
static int ensure_link(struct db_conn *conn)
{
	/* Lists written in C from text columns (db/json_rows.h) need dates as YYYY-MM-DD, whatever
	 * DateStyle the server's configuration sets. */
	static const char *const keys[] = {"connect_timeout", "application_name", "options",
	                                   "dbname", NULL};
	const char *values[] = {"3", "curbside", "-c DateStyle=ISO,MDY", conn->pool->url, NULL};

	if (conn->pg && link_needs_check(conn) &&
	    (PQconsumeInput(conn->pg) == 0 || PQstatus(conn->pg) != CONNECTION_OK))
		drop_link(conn);
	if (conn->pg)
		return CS_OK;
	conn->pg = PQconnectdbParams(keys, values, 1);
	if (!conn->pg || PQstatus(conn->pg) != CONNECTION_OK) {
		LOG_WARN("database connection failed: %s",
		         conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
		drop_link(conn);
		note_link(conn, NULL, false);
		return CS_EUNAVAILABLE;
	}
	note_link(conn, PQgetCancel(conn->pg), true);
	atomic_fetch_add(&conn->pool->reconnects, 1);
	return CS_OK;
}

int db_checkout(struct db_conn **out, struct db_pool *pool)
{
	struct db_conn *conn = take_slot(pool);

	*out = NULL;
	if (!conn && pool->abandoned)
		return stopping_refuse();
	if (!conn) {
		atomic_fetch_add(&pool->timeouts, 1);
		cs_error_set(CS_EUNAVAILABLE, "database_unavailable",
		             "No database connection became free in time. Please retry.");
		cs_error_set_retry_after(1);
		return CS_EUNAVAILABLE;
	}
	if (ensure_link(conn) != CS_OK) {
		give_slot(conn);
		cs_error_set(CS_EUNAVAILABLE, "database_unavailable",
		             "The database cannot be reached right now. Please retry shortly.");
		cs_error_set_retry_after(5);
		return CS_EUNAVAILABLE;
	}
	int rc = sync_actor_relinking(conn);
	if (rc != CS_OK) {
		db_release(conn);
		return rc;
	}
	*out = conn;
	return CS_OK;
}

void db_release(struct db_conn *conn)
{
	if (!conn)
		return;
	if (conn->pg && (PQstatus(conn->pg) != CONNECTION_OK || conn->read_only))
		drop_link(conn);
	else if (conn->pg && PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		db_rollback(conn);
	conn->released_ms = monotonic_ms();
	give_slot(conn);
}

static void remember_failure(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	memset(&last_failure, 0, sizeof(last_failure));
	if (state)
		strncpy(last_failure.sqlstate, state, sizeof(last_failure.sqlstate) - 1);
	if (constraint)
		strncpy(last_failure.constraint, constraint, sizeof(last_failure.constraint) - 1);
}

/* Map a failed result to a project error, logging what is unexpected. */
static int failure_status(struct db_conn *conn, const PGresult *res, const char *what)
{
	remember_failure(res);
	/* Cancelled by db_pool_abandon: the server is stopping (57014: query_canceled). */
	if (!strcmp(last_failure.sqlstate, "57014") && pool_abandoned(conn->pool))
		return stopping_refuse();
	if (PQstatus(conn->pg) != CONNECTION_OK) {
		LOG_WARN("database connection lost during %s", what);
		cs_error_set(CS_EUNAVAILABLE, "database_unavailable",
		             "The database connection was lost. Please retry.");
		cs_error_set_retry_after(DB_RETRY_AFTER_SECONDS);
		return CS_EUNAVAILABLE;
	}
	/*
	 * 25006: the server this link reaches no longer takes writes — a primary demoted in a
	 * failover, kept open across it. Drop the link at release, so the next checkout connects
	 * again and libpq's target_session_attrs=read-write finds the new primary.
	 */
	if (!strcmp(last_failure.sqlstate, "25006")) {
		LOG_WARN("the database refused a write in %s (read-only): reconnecting", what);
		conn->read_only = true;
		cs_error_set(CS_EUNAVAILABLE, "database_unavailable",
		             "The database is changing over to its standby. Please retry.");
		cs_error_set_retry_after(DB_RETRY_AFTER_SECONDS);
		return CS_EUNAVAILABLE;
	}
	int known = db_problem_of(res);
	if (known != CS_OK)
		return known;
	const char *s = last_failure.sqlstate;
	if (db_failure_is_transient(&last_failure)) {
		LOG_WARN("%s: %s in %s", s,
		         !strcmp(s, "40P01") ? "deadlock" : "serialization failure", what);
		cs_error_set(
		        CS_EUNAVAILABLE, "database_busy",
		        "The database was too busy to finish this request; nothing was changed. "
		        "Please retry.");
		cs_error_set_retry_after(DB_RETRY_AFTER_SECONDS);
		return CS_EUNAVAILABLE;
	}
	if (!strcmp(s, "23505"))
		return cs_error_set(CS_ECONFLICT, "conflict", "This conflicts with a stored %s.",
		                    last_failure.constraint);
	if (!strcmp(s, "23514") || !strcmp(s, "23503") || !strcmp(s, "23502") ||
	    !strcmp(s, "22P02") || !strcmp(s, "22007") || !strcmp(s, "22008"))
		return cs_error_set(CS_EINVALID, "validation_failed",
		                    "A value was refused by the database (%s).",
		                    last_failure.constraint[0] ? last_failure.constraint : s);
	LOG_ERROR("database error in %s: %s %s", what, s,
	          res ? PQresultErrorMessage(res) : PQerrorMessage(conn->pg));
	return cs_error_set(CS_EDB, "internal_error", "An unexpected database error occurred.");
}

static bool result_ok(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int prepare(struct db_conn *conn, struct db_stmt *stmt)
{
	int id = stmt_id(stmt);

	if (id >= DB_MAX_STMTS) {
		LOG_ERROR("too many prepared statements (raise DB_MAX_STMTS)");
		return cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
	}
	if (conn->prepared[id])
		return CS_OK;
	PGresult *res = PQprepare(conn->pg, stmt->name, stmt->sql, stmt_nparams(stmt), NULL);
	int rc = result_ok(res) ? CS_OK : failure_status(conn, res, stmt->name);
	PQclear(res);
	if (rc == CS_OK)
		conn->prepared[id] = 1;
	return rc;
}

static int exec_once(PGresult **out, struct db_conn *conn, struct db_stmt *stmt,
                     const char *const *params, int nparams)
{
	int rc;

	if ((rc = prepare(conn, stmt)) != CS_OK)
		return rc;
	PGresult *res = PQexecPrepared(conn->pg, stmt->name, nparams, params, NULL, NULL, 0);
	if (!result_ok(res)) {
		rc = failure_status(conn, res, stmt->name);
		PQclear(res);
		return rc;
	}
	*out = res;
	return CS_OK;
}

/*
 * Give the link this thread's audit actor (db/audit_actor.h) when it has another: a session
 * setting, set outside any transaction so that it holds until changed. A connection that served
 * a staff write and then a portal request is cleared here, so no write is attributed to the
 * previous request's actor.
 */
static int sync_actor(struct db_conn *conn)
{
	static struct db_stmt set_actor =
	        DB_STMT("pool_set_actor", "SELECT set_config('curbside.actor', $1, false)");
	const char *want = db_audit_actor();
	PGresult *res = NULL;

	if (strcmp(conn->actor, want) == 0)
		return CS_OK;
	const char *params[] = {want};
	int rc = exec_once(&res, conn, &set_actor, DB_PARAMS(params));
	PQclear(res);
	snprintf(conn->actor, sizeof(conn->actor), "%s", rc == CS_OK ? want : ACTOR_UNKNOWN);
	return rc;
}

/*
 * sync_actor at checkout, where the link may have died unnoticed (a restart within the second
 * link_needs_check skips): nothing has run on it yet, so reconnect once and set it there, as
 * db_exec does for a statement outside a transaction.
 */
static int sync_actor_relinking(struct db_conn *conn)
{
	int rc = sync_actor(conn);

	if (rc != CS_EUNAVAILABLE || PQstatus(conn->pg) == CONNECTION_OK)
		return rc;
	drop_link(conn);
	if (ensure_link(conn) != CS_OK)
		return rc;
	cs_error_clear();
	return sync_actor(conn);
}

bool db_failure_is_transient(const struct db_failure *f)
{
	return !strcmp(f->sqlstate, "40P01") || !strcmp(f->sqlstate, "40001");
}

/* Sleep before attempt `n` (1, 2, …): 5 ms doubled each time, with jitter so that the
 * transactions that collided do not collide again in step. */
static void retry_pause(int n)
{
	long ms = 5L << (n - 1);
	struct timespec ts;

	ms += rand() % (ms + 1); /* NOLINT: jitter only, no security purpose */
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * A statement run outside a transaction block is a whole transaction: when PostgreSQL rolled it
 * back as a deadlock victim or for a serialization failure, nothing of it remains and running it
 * again is safe. Inside a block, the caller's unit of work is lost and it must fail.
 */
static int exec_retrying(PGresult **out, struct db_conn *conn, struct db_stmt *stmt,
                         const char *const *params, int nparams, bool in_transaction)
{
	int rc = exec_once(out, conn, stmt, params, nparams);

	for (int n = 1; rc == CS_EUNAVAILABLE && !in_transaction && n < DB_TRANSIENT_ATTEMPTS &&
	                db_failure_is_transient(&last_failure);
	     n++) {
		atomic_fetch_add(&conn->pool->retries, 1);
		retry_pause(n);
		rc = exec_once(out, conn, stmt, params, nparams);
	}
	return rc;
}

int db_exec(PGresult **out, struct db_conn *conn, struct db_stmt *stmt, const char *const *params,
            int nparams)
{
	bool in_transaction = PQtransactionStatus(conn->pg) != PQTRANS_IDLE;
	int rc;

	*out = NULL;
	if ((rc = db_params_check(stmt->name, stmt_nparams(stmt), nparams)) != CS_OK)
		return rc;
	rc = exec_retrying(out, conn, stmt, params, nparams, in_transaction);
	/*
	 * A server restart can close an idle connection without anything to read yet at checkout.
	 * Outside a transaction block nothing was half-done on the lost link: reconnect and retry
	 * once. Inside one, the caller's unit of work is lost and must fail.
	 */
	if (rc == CS_EUNAVAILABLE && !in_transaction && PQstatus(conn->pg) != CONNECTION_OK) {
		drop_link(conn);
		if (ensure_link(conn) == CS_OK && sync_actor(conn) == CS_OK)
			rc = exec_once(out, conn, stmt, params, nparams);
	}
	return rc;
}

int db_run(struct db_conn *conn, struct db_stmt *stmt, const char *const *params, int nparams)
{
	PGresult *res = NULL;
	int rc = db_exec(&res, conn, stmt, params, nparams);

	PQclear(res);
	return rc;
}

int db_exec_simple(struct db_conn *conn, const char *sql)
{
	PGresult *res = PQexec(conn->pg, sql);
	int rc = result_ok(res) ? CS_OK : failure_status(conn, res, "a simple query");

	PQclear(res);
	return rc;
}

int db_begin(struct db_conn *conn)
{
	int rc = db_exec_simple(conn, "BEGIN");

	/* Nothing had run on a link lost before BEGIN (a restart the checkout did not look for):
	 * reconnect and begin on the new one. */
	if (rc == CS_EUNAVAILABLE && PQstatus(conn->pg) != CONNECTION_OK) {
		drop_link(conn);
		if (ensure_link(conn) == CS_OK && sync_actor(conn) == CS_OK) {
			cs_error_clear();
			rc = db_exec_simple(conn, "BEGIN");
		}
	}
	return rc;
}

int db_commit(struct db_conn *conn)
{
	return db_exec_simple(conn, "COMMIT");
}

void db_rollback(struct db_conn *conn)
{
	if (!conn || !conn->pg || PQtransactionStatus(conn->pg) == PQTRANS_IDLE)
		return;
	PGresult *res = PQexec(conn->pg, "ROLLBACK");
	PQclear(res);
}

const struct db_failure *db_last_failure(void)
{
	return &last_failure;
}

PGconn *db_conn_pg(struct db_conn *conn)
{
	return conn->pg;
}

void db_pool_stats(struct db_pool *pool, struct db_pool_stats *out)
{
	pthread_mutex_lock(&pool->lock);
	out->size = pool->size;
	out->in_use = pool->in_use;
	out->waiting = pool->waiting;
	pthread_mutex_unlock(&pool->lock);
	out->timeouts = atomic_load(&pool->timeouts);
	out->reconnects = atomic_load(&pool->reconnects);
	out->retries = atomic_load(&pool->retries);
}

bool db_pool_ready(struct db_pool *pool)
{
	static struct db_stmt ping = DB_STMT("pool_ready", "SELECT 1");

	pthread_mutex_lock(&pool->lock);
	struct db_conn *conn = pool->head || pool->abandoned ? NULL : free_slot(pool);
	bool reachable = !pool->unreachable && !pool->abandoned;
	pthread_mutex_unlock(&pool->lock);
	if (!conn)
		return reachable;
	bool ok = ensure_link(conn) == CS_OK && db_run(conn, &ping, DB_NO_PARAMS) == CS_OK;
	db_release(conn);
	return ok;
}

void db_pool_abandon(struct db_pool *pool)
{
	char why[256];
	int cancelled = 0;

	pthread_mutex_lock(&pool->lock);
	pool->abandoned = true;
	for (int i = 0; i < pool->size; i++) {
		struct db_conn *c = &pool->conns[i];
		if (c->busy && c->cancel && PQcancel(c->cancel, why, sizeof(why)))
			cancelled++;
	}
	struct pool_waiter *w;
	while ((w = dequeue_oldest(pool))) /* each wakes with no connection */
		sem_post(&w->handed);
	pthread_mutex_unlock(&pool->lock);
	if (cancelled)
		LOG_WARN("cancelled %d running statement(s) to stop", cancelled);
}

bool db_pool_ping(struct db_pool *pool)
{
	static struct db_stmt ping = DB_STMT("pool_ping", "SELECT 1");
	struct db_conn *conn = NULL;
	bool ok = false;

	if (db_checkout(&conn, pool) == CS_OK) {
		ok = db_run(conn, &ping, DB_NO_PARAMS) == CS_OK;
		db_release(conn);
	}
	return ok;
}
