#include "http/read_deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"

/* How often the watchdog looks: a late request is cut off at most this much after its deadline. */
#define WATCH_INTERVAL_MS 200

/* One open connection. Lives from libmicrohttpd's "started" notification to its "closed" one,
 * which comes before the socket is closed: the watchdog never touches a reused descriptor. */
struct watched {
	int fd;
	bool reading;         /* on the clock: a request is being read */
	bool cut;             /* already answered 408 and shut down */
	struct timespec ends; /* the reading deadline (CLOCK_MONOTONIC) */
	struct watched *prev, *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled to stop */
	pthread_t thread;
	bool running, stopping;
	int seconds;      /* to read a request once it has begun */
	int idle_seconds; /* libmicrohttpd's idle timeout, which governs between requests */
	struct watched *head;
} watch = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The connection this thread serves (one thread per connection), bound at its request line. */
static _Thread_local struct watched *current;

/* The 408 the watchdog sends, written once at start (it names the deadline). */
static char timeout_answer[512];
static size_t timeout_answer_len;

static void compose_timeout_answer(int seconds)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
	                 "{\"type\":\"/problems/request_timeout\",\"title\":\"Request Timeout\","
	                 "\"status\":408,\"detail\":\"The request did not arrive within %d "
	                 "seconds.\",\"code\":\"request_timeout\",\"request_id\":\"-\"}",
	                 seconds);
	int len = snprintf(timeout_answer, sizeof(timeout_answer),
	                   "HTTP/1.1 408 Request Timeout\r\n"
	                   "Content-Type: application/problem+json\r\n"
	                   "X-Content-Type-Options: nosniff\r\n"
	                   "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
	                   "Connection: close\r\n"
	                   "Content-Length: %d\r\n"
	                   "\r\n%s",
	                   n, body);
	timeout_answer_len = (size_t)len;
}

/* Put `w` on the clock: its request must have arrived `seconds` from now. */
static void clock_start(struct watched *w, int seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &w->ends);
	w->ends.tv_sec += seconds;
	w->reading = true;
}

static bool passed(const struct timespec *deadline, const struct timespec *now)
{
	return now->tv_sec > deadline->tv_sec ||
	       (now->tv_sec == deadline->tv_sec && now->tv_nsec >= deadline->tv_nsec);
}

/*
 * Nothing else writes on a connection that is still reading its request, so the answer cannot
 * interleave with one of libmicrohttpd's. The send never blocks: a client that does not read
 * loses the answer, not the watchdog's time.
 */
static void cut_off(struct watched *w)
{
	ssize_t sent = send(w->fd, timeout_answer, timeout_answer_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)sent;
	shutdown(w->fd, SHUT_RDWR);
	w->cut = true;
	w->reading = false;
}

static void cut_off_late_requests(void)
{
	struct timespec now;
	int cut = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (struct watched *w = watch.head; w; w = w->next) {
		if (w->reading && !w->cut && passed(&w->ends, &now)) {
			cut_off(w);
			cut++;
		}
	}
	if (cut)
		LOG_INFO("closed %d connection(s) whose request did not arrive within %d s", cut,
		         watch.seconds);
}

static void *watchdog(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&watch.lock);
	while (!watch.stopping) {
		struct timespec next;
		clock_gettime(CLOCK_REALTIME, &next);
		next.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&watch.wake, &watch.lock, &next);
		if (!watch.stopping)
			cut_off_late_requests();
	}
	pthread_mutex_unlock(&watch.lock);
	return NULL;
}

int read_deadline_start(int seconds, int idle_seconds)
{
	watch.seconds = seconds;
	watch.idle_seconds = idle_seconds;
	compose_timeout_answer(seconds);
	watch.stopping = false;
	if (pthread_create(&watch.thread, NULL, watchdog, NULL) != 0) {
		LOG_ERROR("cannot start the request deadline watchdog");
		return CS_EINTERNAL;
	}
	watch.running = true;
	return CS_OK;
}

void read_deadline_stop(void)
{
	if (!watch.running)
		return;
	pthread_mutex_lock(&watch.lock);
	watch.stopping = true;
	pthread_cond_signal(&watch.wake);
	pthread_mutex_unlock(&watch.lock);
	pthread_join(watch.thread, NULL);
	watch.running = false;
}

static struct watched *watched_new(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
	        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct watched *w = info ? calloc(1, sizeof(*w)) : NULL;

	if (w)
		w->fd = info->connect_fd;
	return w;
}

void read_deadline_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct watched *w = *socket_context;

	(void)cls;
	pthread_mutex_lock(&watch.lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED && (w = watched_new(connection))) {
		clock_start(w, watch.seconds);
		w->next = watch.head;
		if (watch.head)
			watch.head->prev = w;
		watch.head = w;
		*socket_context = w;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
		if (w->prev)
			w->prev->next = w->next;
		else
			watch.head = w->next;
		if (w->next)
			w->next->prev = w->prev;
		free(w);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&watch.lock);
}

static struct watched *watched_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
	        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

void read_deadline_request_begun(struct MHD_Connection *connection)
{
	struct timespec ends;

	current = watched_of(connection);
	if (!current)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ends);
	ends.tv_sec += watch.seconds;
	pthread_mutex_lock(&watch.lock);
	if (passed(&ends, &current->ends) && !current->cut) /* the earlier deadline wins */
		current->ends = ends;
	pthread_mutex_unlock(&watch.lock);
}

void read_deadline_request_read(void)
{
	if (!current)
		return;
	pthread_mutex_lock(&watch.lock);
	current->reading = false;
	pthread_mutex_unlock(&watch.lock);
}

void read_deadline_answer_sent(struct MHD_Connection *connection)
{
	struct watched *w = watched_of(connection);

	if (!w)
		return;
	/* A keep-alive connection may wait idle for its next request (libmicrohttpd closes it after
	 * the idle timeout); once that request begins, it has the reading time. */
	pthread_mutex_lock(&watch.lock);
	if (!w->cut)
		clock_start(w, watch.idle_seconds + watch.seconds);
	pthread_mutex_unlock(&watch.lock);
}
