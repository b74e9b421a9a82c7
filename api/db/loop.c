#include "db/loop.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "db/pool.h"

#define CONNECT_TIMEOUT_MS 10000

/*
 * While the database is away, connecting is tried again after 250 ms, then twice as long each
 * time up to 5 s (never longer than the loop's poll interval): a failover or a restart is noticed
 * within seconds, not a poll interval later, and an outage costs one attempt every 5 s.
 */
#define RECONNECT_FIRST_MS 250
#define RECONNECT_MAX_MS   5000

struct db_loop {
	struct db_loop_spec spec; /* its strings are the copies below */
	char *name, *url, *channel;
	pthread_t thread;
	atomic_bool stopping;
	int wake_fd;    /* an eventfd: db_loop_stop ends any wait at once */
	PGconn *conn;   /* LISTENing; NULL while the database is away */
	bool down_said; /* "not reachable" was logged (once per outage) */
};

bool db_loop_stopping(const struct db_loop *loop)
{
	return atomic_load(&loop->stopping);
}

/* Wait for `events` on `fd` (none when fd < 0) up to `timeout_ms`: 1 ready, 0 timed out or
 * stopping. */
static int wait_on(struct db_loop *loop, int fd, short events, int timeout_ms)
{
	struct pollfd fds[2] = {{.fd = loop->wake_fd, .events = POLLIN},
	                        {.fd = fd, .events = events}};
	int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);

	if (db_loop_stopping(loop))
		return 0;
	return n > 0 && fd >= 0 && fds[1].revents ? 1 : 0;
}

static void drop_connection(struct db_loop *loop)
{
	PQfinish(loop->conn);
	loop->conn = NULL;
}

/* Connect without blocking, so that a stop is heard while the database is away. */
static PGconn *connect_async(struct db_loop *loop)
{
	PGconn *pg = PQconnectStart(loop->url);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (!pg || PQstatus(pg) == CONNECTION_BAD) {
		PQfinish(pg);
		return NULL;
	}
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		short ev = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if (wait_on(loop, PQsocket(pg), ev, CONNECT_TIMEOUT_MS) != 1)
			break;
		st = PQconnectPoll(pg);
	}
	if (st == PGRES_POLLING_OK)
		return pg;
	if (!loop->down_said && !db_loop_stopping(loop))
		LOG_WARN("%s: the database is not reachable: %s", loop->name, PQerrorMessage(pg));
	loop->down_said = true;
	PQfinish(pg);
	return NULL;
}

static bool ensure_connected(struct db_loop *loop)
{
	char sql[160], *quoted;

	if (loop->conn && PQstatus(loop->conn) == CONNECTION_OK)
		return true;
	drop_connection(loop);
	PGconn *pg = connect_async(loop);
	if (!pg)
		return false;
	if (!(quoted = PQescapeIdentifier(pg, loop->channel, strlen(loop->channel)))) {
		PQfinish(pg);
		return false;
	}
	snprintf(sql, sizeof(sql), "LISTEN %s", quoted);
	PQfreemem(quoted);
	PGresult *res = PQexec(pg, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		LOG_WARN("%s: LISTEN failed: %s", loop->name, PQerrorMessage(pg));
		PQfinish(pg);
		return false;
	}
	if (loop->down_said)
		LOG_INFO("%s: connected to the database again", loop->name);
	loop->down_said = false;
	loop->conn = pg;
	return true;
}

/* Swallow the notifications libpq has read (they only say "look"); true when there was one. */
static bool take_notifications(struct db_loop *loop)
{
	PGnotify *n;
	bool any = false;

	while ((n = PQnotifies(loop->conn))) {
		PQfreemem(n);
		any = true;
	}
	return any;
}

/* Sleep until a notification, the poll interval or a stop. One that came while a round ran is in
 * libpq's queue already (the socket is quiet): go again at once. */
static void idle(struct db_loop *loop)
{
	int ms = loop->spec.poll_seconds * 1000;

	if (take_notifications(loop))
		return;
	if (wait_on(loop, PQsocket(loop->conn), POLLIN, ms) != 1)
		return;
	if (PQconsumeInput(loop->conn) != 1)
		drop_connection(loop);
	else
		take_notifications(loop);
}

static void *loop_main(void *arg)
{
	struct db_loop *loop = arg;
	int most_ms = loop->spec.poll_seconds * 1000;
	int backoff_ms = RECONNECT_FIRST_MS;

	if (most_ms > RECONNECT_MAX_MS)
		most_ms = RECONNECT_MAX_MS;
	while (!db_loop_stopping(loop)) {
		if (!ensure_connected(loop)) {
			wait_on(loop, -1, 0, backoff_ms < most_ms ? backoff_ms : most_ms);
			backoff_ms = backoff_ms < most_ms ? backoff_ms * 2 : most_ms;
			continue;
		}
		backoff_ms = RECONNECT_FIRST_MS;
		bool again = loop->spec.round(loop, loop->conn, loop->spec.arg);
		if (PQstatus(loop->conn) != CONNECTION_OK)
			drop_connection(loop);
		else if (!again)
			idle(loop);
	}
	drop_connection(loop);
	return NULL;
}

static void loop_free(struct db_loop *loop)
{
	if (loop->wake_fd >= 0)
		close(loop->wake_fd);
	free(loop->name);
	free(loop->url);
	free(loop->channel);
	free(loop);
}

int db_loop_start(struct db_loop **out, const struct db_loop_spec *spec)
{
	struct db_loop *loop = calloc(1, sizeof(*loop));
	sigset_t all, saved;

	*out = NULL;
	if (!loop)
		return CS_ENOMEM;
	loop->spec = *spec;
	loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	loop->name = strdup(spec->name);
	loop->url = strdup(spec->url);
	loop->channel = strdup(spec->channel);
	if (loop->wake_fd < 0 || !loop->name || !loop->url || !loop->channel) {
		loop_free(loop);
		return CS_ENOMEM;
	}
	loop->spec.name = loop->name;
	loop->spec.url = loop->url;
	loop->spec.channel = loop->channel;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	int rc = pthread_create(&loop->thread, NULL, loop_main, loop);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != 0) {
		loop_free(loop);
		return CS_EINTERNAL;
	}
	*out = loop;
	return CS_OK;
}

void db_loop_stop(struct db_loop *loop)
{
	uint64_t one = 1;

	if (!loop)
		return;
	atomic_store(&loop->stopping, true);
	if (write(loop->wake_fd, &one, sizeof(one)) < 0)
		LOG_WARN("%s: cannot wake the thread", loop->name);
	pthread_join(loop->thread, NULL);
	loop_free(loop);
}

/* True when `res` failed as a deadlock victim or for a serialization failure. */
static bool transient(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	struct db_failure f = {{0}, {0}};

	if (state)
		snprintf(f.sqlstate, sizeof(f.sqlstate), "%s", state);
	return db_failure_is_transient(&f);
}

/* Run a round's statement; one PostgreSQL rolled back as a deadlock victim or for a serialization
 * failure (outside a transaction block: nothing of it remains) runs again, a bounded number of
 * times, as the pool's statements do. */
static PGresult *exec_retrying(PGconn *conn, const char *who, const char *sql, int n,
                               const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);

	for (int i = 1; i < DB_TRANSIENT_ATTEMPTS && PQresultStatus(res) != PGRES_TUPLES_OK &&
	                transient(res) && PQtransactionStatus(conn) == PQTRANS_IDLE;
	     i++) {
		LOG_WARN("%s: %s; running it again", who,
		         PQresultErrorField(res, PG_DIAG_SQLSTATE));
		PQclear(res);
		usleep(5000U << (i - 1));
		res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	}
	return res;
}

int db_loop_query_text(char **out, PGconn *conn, const char *who, const char *sql,
                       const char *const *params, int nparams)
{
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_params_check(who, db_sql_param_count(sql), nparams)) != CS_OK)
		return rc;
	res = exec_retrying(conn, who, sql, nparams, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = PQstatus(conn) == CONNECTION_OK ? CS_EDB : CS_EUNAVAILABLE;
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		LOG_ERROR("%s: %s", who, msg ? msg : PQerrorMessage(conn));
	} else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) &&
	           !(*out = strdup(PQgetvalue(res, 0, 0)))) {
		rc = CS_ENOMEM;
	}
	PQclear(res);
	return rc;
}

int db_loop_query_array(json_t **out, PGconn *conn, const char *who, const char *sql,
                        const char *const *params, int nparams)
{
	char *text = NULL;
	int rc = db_loop_query_text(&text, conn, who, sql, params, nparams);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	*out = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (json_is_array(*out))
		return CS_OK;
	json_decref(*out);
	*out = NULL;
	return CS_EINTERNAL;
}
