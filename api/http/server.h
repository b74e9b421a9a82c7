/* The HTTP server: Ulfius on libmicrohttpd's epoll thread pool, with a graceful stop. */
#ifndef CURBSIDE_HTTP_SERVER_H
#define CURBSIDE_HTTP_SERVER_H

#include "http/env.h"
#include "http/route.h"

/*
 * Serve `tables` with `env` until SIGTERM or SIGINT. On the signal: stop accepting, let in-flight
 * requests finish (up to a grace period), then stop. Returns CS_EINTERNAL when the server cannot
 * start.
 */
int http_server_run(const struct http_env *env, const struct route_table *const *tables,
                    size_t ntables) CS_MUST_CHECK;

#endif
