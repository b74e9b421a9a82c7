#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "http/middleware.h"
#include "http/router.h"

#define SHUTDOWN_GRACE_MS 10000

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

static int start(struct _u_instance *instance, const struct http_listen *at,
                 union bind_address *addr, bool ipv6)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                     MHD_USE_TURBO | (ipv6 ? MHD_USE_IPv6 : 0);
	struct MHD_OptionItem options[] = {
	        /* Ulfius requires these two (see ulfius.h). */
	        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
	        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
	        {MHD_OPTION_SOCK_ADDR, 0, &addr->sa},
	        {MHD_OPTION_THREAD_POOL_SIZE, at->threads, NULL},
	        {MHD_OPTION_CONNECTION_LIMIT, at->max_connections, NULL},
	        {MHD_OPTION_CONNECTION_TIMEOUT, at->idle_timeout, NULL},
	        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
	        {MHD_OPTION_END, 0, NULL},
	};

	if (ulfius_start_framework_with_mhd_options(instance, flags, options) != U_OK) {
		LOG_ERROR("cannot listen on %s:%d", at->host, at->port);
		return CS_EINTERNAL;
	}
	return CS_OK;
}

/* Stop accepting, then wait (bounded) for the requests already accepted to be answered. */
static void drain(struct _u_instance *instance)
{
	MHD_socket listener = MHD_quiesce_daemon(instance->mhd_daemon);
	struct timespec tick = {0, 10 * 1000 * 1000};

	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	for (int waited = 0; http_inflight() > 0 && waited < SHUTDOWN_GRACE_MS; waited += 10)
		nanosleep(&tick, NULL);
	if (http_inflight() > 0)
		LOG_WARN("stopping with %d requests still in flight", http_inflight());
	/* Responses are queued when in-flight drops; give the connections a moment to write them.
	 */
	tick.tv_nsec = 50 * 1000 * 1000;
	nanosleep(&tick, NULL);
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
	instance.max_post_body_size = (size_t)env->max_body_bytes + 1;
	instance.allowed_post_processor = U_POST_PROCESS_NONE;
	rc = router_register(&instance, env, tables, ntables);
	if (rc == CS_OK)
		rc = start(&instance, &env->listen, &addr, ipv6);
	if (rc == CS_OK) {
		LOG_INFO("listening on %s:%d with %d threads and %d database connections",
		         env->listen.host, env->listen.port, env->listen.threads,
		         env->db_connections);
		int sig = wait_for_stop_signal();
		LOG_INFO("signal %d: finishing in-flight requests", sig);
		drain(&instance);
		ulfius_stop_framework(&instance);
		LOG_INFO("stopped");
	}
	ulfius_clean_instance(&instance);
	router_release();
	return rc;
}
