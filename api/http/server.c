#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/stopping.h"
#include "http/middleware.h"
#include "http/read_deadline.h"
#include "http/router.h"

/* After the drain deadline, how long the cancelled work gets to answer its 503s. */
#define ABANDON_GRACE_MS 2000

/* Each connection's thread: handlers keep little on the stack, libpq and libharu a little more. */
#define CONNECTION_THREAD_STACK (1024 * 1024)

union bind_address {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static int fill_bind_address(union bind_address *addr, bool *ipv6, const struct http_listen *at)
{
	memset(addr, 0, sizeof(*addr));
	*ipv6 = strchr(at->host, ':') != NULL;
	if (*ipv6) {
		addr->v6.sin6_family = AF_INET6;
		addr->v6.sin6_port = htons((uint16_t)at->port);
		return inet_pton(AF_INET6, at->host, &addr->v6.sin6_addr) == 1 ? CS_OK
		                                                               : CS_EINVALID;
	}
	addr->v4.sin_family = AF_INET;
	addr->v4.sin_port = htons((uint16_t)at->port);
	return inet_pton(AF_INET, at->host, &addr->v4.sin_addr) == 1 ? CS_OK : CS_EINVALID;
}

/* Ulfius needs its URI logger; the request line is also where a request's reading begins. */
static void *request_line_arrived(void *cls, const char *uri, struct MHD_Connection *connection)
{
	read_deadline_request_begun(connection);
	return ulfius_uri_logger(cls, uri);
}

/* Ulfius needs its completion callback; the next request on the connection is on the clock. */
static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
	mhd_request_completed(cls, connection, con_cls, toe);
	read_deadline_answer_sent(connection);
}

/*
 * One thread per connection: a handler waiting for the database or the payment processor holds
 * only its own connection. With libmicrohttpd's thread pool, each pool thread served the
 * connections it had accepted one after another, so a request queued behind a slow one on the
 * same thread while other threads idled (docs/decisions.md, "The server under pressure").
 */
static int start(struct _u_instance *instance, const struct http_listen *at,
                 union bind_address *addr, bool ipv6)
{
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                     MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
	                     (ipv6 ? MHD_USE_IPv6 : 0);
	struct MHD_OptionItem options[] = {
	        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, NULL},
	        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_line_arrived, NULL},
	        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)read_deadline_notify, NULL},
	        {MHD_OPTION_SOCK_ADDR, 0, &addr->sa},
	        {MHD_OPTION_THREAD_STACK_SIZE, CONNECTION_THREAD_STACK, NULL},
	        {MHD_OPTION_CONNECTION_LIMIT, at->max_connections, NULL},
	        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, at->max_connections_per_address, NULL},
	        {MHD_OPTION_CONNECTION_TIMEOUT, at->idle_timeout, NULL},
	        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
	        {MHD_OPTION_END, 0, NULL},
	};

	if (read_deadline_start(at->read_timeout, at->idle_timeout) != CS_OK)
		return CS_EINTERNAL;
	if (ulfius_start_framework_with_mhd_options(instance, flags, options) != U_OK) {
		LOG_ERROR("cannot listen on %s:%d", at->host, at->port);
		read_deadline_stop();
		return CS_EINTERNAL;
	}
	return CS_OK;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* Wait up to `ms` for the requests in flight to be answered; true when none is left. */
static bool wait_for_answers(long ms)
{
	for (long waited = 0; http_inflight() > 0 && waited < ms; waited += 10)
		sleep_ms(10);
	return http_inflight() == 0;
}

/*
 * Stop accepting, then wait (bounded) for the requests already accepted to be answered. Past the
 * deadline, give up on what still runs: cancel its statements and its calls to other services, so
 * each handler answers 503 server_stopping. Returns false when some handler still did not return.
 */
static bool drain(struct _u_instance *instance, const struct http_env *env)
{
	MHD_socket listener = MHD_quiesce_daemon(instance->mhd_daemon);

	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	http_begin_draining();
	if (!wait_for_answers(env->listen.shutdown_seconds * 1000L)) {
		LOG_WARN("%d request(s) still running after %d s: cancelling them", http_inflight(),
		         env->listen.shutdown_seconds);
		stopping_abandon();
		db_pool_abandon(env->db);
		if (!wait_for_answers(ABANDON_GRACE_MS)) {
			LOG_ERROR("%d request(s) did not stop", http_inflight());
			return false;
		}
	}
	/* Responses are queued when in-flight drops; give the connections a moment to write them.
	 */
	sleep_ms(50);
	return true;
}

static int wait_for_stop_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigwait(&set, &sig);
	return sig;
}

int http_server_run(const struct http_env *env, const struct route_table *const *tables,
                    size_t ntables)
{
	struct _u_instance instance;
	union bind_address addr;
	bool ipv6 = false;
	sigset_t set;
	int rc;

	/* Block the stop signals before MHD starts its threads, so only sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = fill_bind_address(&addr, &ipv6, &env->listen)) != CS_OK)
		return rc;
	if (ulfius_init_instance(&instance, (unsigned)env->listen.port, NULL, NULL) != U_OK)
		return CS_EINTERNAL;
	/* One byte over the limit lets the middleware tell "at the limit" from "over it". */
	instance.max_post_body_size = (size_t)http_body_ceiling(env->max_body_bytes) + 1;
	instance.allowed_post_processor = U_POST_PROCESS_NONE;
	rc = router_register(&instance, env, tables, ntables);
	if (rc == CS_OK)
		rc = start(&instance, &env->listen, &addr, ipv6);
	if (rc == CS_OK) {
		LOG_INFO("listening on %s:%d (up to %d connections, %d per address) with %d "
		         "database connections",
		         env->listen.host, env->listen.port, env->listen.max_connections,
		         env->listen.max_connections_per_address, env->db_connections);
		int sig = wait_for_stop_signal();
		LOG_INFO("signal %d: finishing in-flight requests", sig);
		if (!drain(&instance, env)) {
			/* Stopping libmicrohttpd would join the stuck threads forever. */
			LOG_ERROR("exiting without a clean stop");
			_exit(EXIT_FAILURE);
		}
		ulfius_stop_framework(&instance);
		read_deadline_stop();
		LOG_INFO("stopped");
	}
	ulfius_clean_instance(&instance);
	router_release();
	return rc;
}
