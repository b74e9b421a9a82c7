/* The HTTP server: Ulfius on libmicrohttpd, one thread per connection, with a bounded stop. */
#ifndef CURBSIDE_HTTP_SERVER_H
#define CURBSIDE_HTTP_SERVER_H

#include "http/env.h"
#include "http/route.h"

/*
 * Serve `tables` with `env` until SIGTERM or SIGINT. On the signal: stop accepting, let in-flight
 * requests finish for up to env->listen.shutdown_seconds, then cancel what still runs (it answers
 * 503 server_stopping) and stop. Returns CS_EINTERNAL when the server cannot start; exits the
 * process itself when a request cannot be stopped.
 */
int http_server_run(const struct http_env *env, const struct route_table *const *tables,
                    size_t ntables) CS_MUST_CHECK;

#endif
