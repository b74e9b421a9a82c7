/*
 * What the HTTP layer needs of the application, filled in once at start (app.c) and shared by
 * every request: http/ includes nothing above it. The credential checks are callbacks of the
 * modules that own them; the application itself travels to the handlers as an opaque pointer
 * (ctx->app, declared in app.h) that http/ never looks into.
 */
#ifndef CURBSIDE_HTTP_ENV_H
#define CURBSIDE_HTTP_ENV_H

#include <stdbool.h>

#include "core/jwt.h"
#include "db/pool.h"
#include "db/read_route.h"
#include "db/throttle.h"
#include "http/auth.h"

struct app;

/* Where the server listens and how much it serves at once. */
struct http_listen {
	const char *host; /* numeric address, IPv4 or IPv6 */
	int port;
	int max_connections;             /* simultaneous connections, one thread each */
	int max_connections_per_address; /* of them from one client address (0: no limit) */
	int idle_timeout;                /* seconds before an idle connection is closed */
	int read_timeout;     /* seconds a request's headers and body may take to arrive */
	int shutdown_seconds; /* the drain deadline of a graceful stop */
};

struct trusted_proxies;

struct http_env {
	struct app *app;    /* the handlers' application, handed over as ctx->app */
	struct db_pool *db; /* idempotency keys, credential checks, the shared handler shapes */
	struct db_read_route *reads; /* heavy portal reads to a standby; NULL: off (http/reads.h) */
	const struct access_token_keys *keys;
	const struct http_credential_checks *checks;
	const char *operator_token;
	struct throttle *links_by_address;             /* link_attempt_begin */
	const struct trusted_proxies *trusted_proxies; /* NULL: the peer is the client */
	char *const *cors_origins;                     /* NULL-terminated allow-list */
	long max_body_bytes;
	bool access_log;
	int db_connections; /* the pool's size, for the start-up line */
	struct http_listen listen;
};

#endif
