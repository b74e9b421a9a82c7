#include "db/listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Seconds between attempts to reconnect a lost listening connection. */
#define LISTENER_RETRY_SECONDS 2

struct db_listener {
	char *url;
	char *channel;
	db_listener_fn on_notify;
	void *arg;
	int wake[2]; /* a self-pipe: a byte written here ends the thread's wait at once */
	atomic_bool stopping;
	pthread_t thread;
};

/* Wait until `fd` is readable, the stop pipe fires or `timeout_ms` passes; false when stopping. */
static bool wait_readable(struct db_listener *l, int fd, int timeout_ms)
{
	struct pollfd fds[2] = {{.fd = l->wake[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};

	poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
	return !atomic_load(&l->stopping);
}

static PGconn *connect_and_listen(struct db_listener *l)
{
	PGconn *conn = PQconnectdb(l->url);
	char *quoted = NULL, sql[160];

	if (PQstatus(conn) != CONNECTION_OK)
		goto fail;
	if (!(quoted = PQescapeIdentifier(conn, l->channel, strlen(l->channel))))
		goto fail;
	snprintf(sql, sizeof(sql), "LISTEN %s", quoted);
	PQfreemem(quoted);
	PGresult *res = PQexec(conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (ok)
		return conn;
fail:
	LOG_WARN("listener %s: cannot listen yet: %s", l->channel, PQerrorMessage(conn));
	PQfinish(conn);
	return NULL;
}

/* Read what arrived; true when at least one notification did. False in *alive when the link is
 * broken. */
static bool drain(PGconn *conn, bool *alive)
{
	PGnotify *n;
	bool any = false;

	*alive = PQconsumeInput(conn) == 1;
	while ((n = PQnotifies(conn))) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

static void *listen_loop(void *arg)
{
	struct db_listener *l = arg;
	PGconn *conn = NULL;

	while (!atomic_load(&l->stopping)) {
		if (!conn) {
			if (!(conn = connect_and_listen(l))) {
				wait_readable(l, -1, LISTENER_RETRY_SECONDS * 1000);
				continue;
			}
			l->on_notify(l->arg); /* anything sent while we were not listening */
		}
		if (!wait_readable(l, PQsocket(conn), 60 * 1000))
			break;
		bool alive = true;
		if (drain(conn, &alive))
			l->on_notify(l->arg);
		if (!alive || PQstatus(conn) != CONNECTION_OK) {
			PQfinish(conn);
			conn = NULL;
		}
	}
	PQfinish(conn);
	return NULL;
}

int db_listener_start(struct db_listener **out, const char *url, const char *channel,
                      db_listener_fn on_notify, void *arg)
{
	struct db_listener *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l)
		return CS_ENOMEM;
	l->wake[0] = l->wake[1] = -1;
	l->on_notify = on_notify;
	l->arg = arg;
	if (!(l->url = strdup(url)) || !(l->channel = strdup(channel)) || pipe(l->wake) != 0)
		goto fail;
	/* The thread must never take SIGTERM/SIGINT: the main thread waits for them with sigwait.
	 */
	sigset_t all, previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	int started = pthread_create(&l->thread, NULL, listen_loop, l);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (started != 0)
		goto fail;
	*out = l;
	return CS_OK;
fail:
	if (l->wake[0] >= 0) {
		close(l->wake[0]);
		close(l->wake[1]);
	}
	free(l->url);
	free(l->channel);
	free(l);
	return CS_ENOMEM;
}

void db_listener_stop(struct db_listener *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, true);
	if (write(l->wake[1], "x", 1) < 0)
		LOG_WARN("listener %s: cannot wake the thread", l->channel);
	pthread_join(l->thread, NULL);
	close(l->wake[0]);
	close(l->wake[1]);
	free(l->url);
	free(l->channel);
	free(l);
}
