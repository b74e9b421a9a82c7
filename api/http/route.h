/*
 * Routes. Every module exposes one table of `struct route`, registered by the router in a loop
 * that checks every registration. A handler parses and validates the request, calls its module's
 * service and replies; it returns CS_OK once it has replied, or a CS_E* code (with cs_error_set
 * for the detail) and the dispatcher answers with the matching problem.
 */
#ifndef CURBSIDE_HTTP_ROUTE_H
#define CURBSIDE_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <ulfius.h>

#include "http/auth.h"

struct app;
struct http_env;
struct request_state;
struct path_params;
struct db_pool;

/* Everything a handler needs about the request it serves. */
struct http_ctx {
	const struct _u_request *req;
	struct _u_response *resp;
	struct app *app;            /* the application (app.h); http/ only carries it */
	const struct http_env *env; /* what http/ itself needs (http/env.h) */
	struct principal principal; /* filled in before the handler for authenticated routes */
	struct request_state *state;
	const struct path_params
	        *path;           /* the matched route's path parameters (http/path_match.h) */
	struct db_pool *read_db; /* the pool http_db_for_read chose (NULL until then) */
	bool read_retried;       /* the read ran again on the primary (http/reads.h) */
};

typedef int (*route_handler)(struct http_ctx *ctx);

struct route {
	const char *method;
	const char *path; /* a template: "/v1/tenants/:tenant" (http/path_match.h) */
	enum route_auth auth;
	route_handler handler;
};

/* A module's table. */
struct route_table {
	const char *module;
	const struct route *routes;
	size_t count;
};

#define ROUTE_TABLE(name, routes)                                                                  \
	{                                                                                          \
		(name), (routes), sizeof(routes) / sizeof((routes)[0])                             \
	}

/* The value of path parameter `name` (NULL when absent). */
const char *http_path_param(const struct http_ctx *ctx, const char *name);

/* The value of request header `name`, case-insensitive (NULL when absent). */
const char *http_header(const struct http_ctx *ctx, const char *name);

#endif
