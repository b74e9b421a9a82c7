#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stopping.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/reply.h"

/*
 * Ulfius runs matching endpoints in priority order (0 first). The fallback matches every request
 * and runs only when nothing before it answered: Ulfius 2.7.13 does not call its default endpoint
 * after a middleware returned U_CALLBACK_IGNORE, so the JSON 404/405 is an ordinary last endpoint.
 */
enum { PRIORITY_MIDDLEWARE = 0, PRIORITY_ROUTE = 1, PRIORITY_FALLBACK = 2 };

static struct {
	struct registered_route *routes;
	const char **names;
	const char **methods;
	int count;
} registry;

/* Length of the segment starting at `s` (up to '/' or the end). */
static size_t segment_len(const char *s)
{
	return strcspn(s, "/");
}

bool router_path_matches(const char *pattern, const char *path)
{
	for (;;) {
		while (*pattern == '/')
			pattern++;
		while (*path == '/')
			path++;
		if (!*pattern || !*path)
			return !*pattern && !*path;
		size_t pl = segment_len(pattern), sl = segment_len(path);
		if (pattern[0] != ':' && (pl != sl || strncmp(pattern, path, pl) != 0))
			return false;
		pattern += pl;
		path += sl;
	}
}

int router_check_route(const struct route *route)
{
	static const char portal[] = "/v1/portal/";

	if (strncmp(route->path, portal, sizeof(portal) - 1) == 0 &&
	    route->auth != AUTH_PORTAL_ACCOUNT)
		return CS_EINVALID;
	return CS_OK;
}

/*
 * A handler failed after the server gave up on it while stopping: its statement was cancelled or
 * its call to another service aborted, whatever error that surfaced as. What it had started is
 * resumed by a retry or by the workers, as after a timeout.
 */
static int abandoned(int rc)
{
	LOG_INFO("abandoned while stopping (error %d)", rc);
	return stopping_refuse();
}

static int dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
	const struct registered_route *r = user_data;
	struct http_ctx ctx;

	http_ctx_init(&ctx, req, resp, r->env);
	if (ctx.state)
		ctx.state->route = r;
	int rc = http_authenticate(&ctx, r->route->auth);
	if (rc == CS_OK)
		rc = r->route->handler(&ctx);
	if (stopping_abandoned() &&
	    (rc == CS_EUNAVAILABLE || rc == CS_EUPSTREAM || rc == CS_EDB || rc == CS_EINTERNAL))
		rc = abandoned(rc);
	if (rc != CS_OK)
		http_reply_error(&ctx, rc);
	if (r->route->auth != AUTH_PUBLIC)
		http_set_header(&ctx, "Cache-Control", "no-store");
	http_finish(&ctx);
	return U_CALLBACK_COMPLETE;
}

/* Append `method` to the comma-separated list `out` (of `cap` bytes). */
static void append_method(char *out, size_t cap, const char *method)
{
	if (out[0])
		strncat(out, ", ", cap - strlen(out) - 1);
	strncat(out, method, cap - strlen(out) - 1);
}

/*
 * Methods registered for `path`, comma-separated into `out`; empty when the path is unknown.
 * HEAD follows GET: it is answered wherever GET is (router_register).
 */
static void allowed_methods(char *out, size_t cap, const char *path)
{
	out[0] = '\0';
	for (int i = 0; i < registry.count; i++) {
		const struct route *route = registry.routes[i].route;
		if (!router_path_matches(route->path, path) || strstr(out, route->method))
			continue;
		append_method(out, cap, route->method);
		if (strcmp(route->method, "GET") == 0)
			append_method(out, cap, "HEAD");
	}
}

static int not_found(const struct _u_request *req, struct _u_response *resp, void *env)
{
	struct http_ctx ctx;
	char allow[128];

	http_ctx_init(&ctx, req, resp, env);
	allowed_methods(allow, sizeof(allow), req->url_path);
	if (allow[0]) {
		char detail[192];
		snprintf(detail, sizeof(detail), "%s is not supported here; use %s.",
		         req->http_verb, allow);
		http_set_header(&ctx, "Allow", allow);
		http_reply_problem(&ctx, 405, "method_not_allowed", detail, NULL);
	} else {
		http_reply_problem(&ctx, 404, "not_found", "There is nothing at this path.", NULL);
	}
	http_finish(&ctx);
	return U_CALLBACK_COMPLETE;
}

static int count_routes(const struct route_table *const *tables, size_t ntables)
{
	int n = 0;

	for (size_t t = 0; t < ntables; t++)
		n += (int)tables[t]->count;
	return n;
}

static int allocate_registry(int n)
{
	registry.routes = calloc((size_t)n, sizeof(*registry.routes));
	registry.names = calloc((size_t)n, sizeof(*registry.names));
	registry.methods = calloc((size_t)n, sizeof(*registry.methods));
	if (!registry.routes || !registry.names || !registry.methods) {
		router_release();
		return CS_ENOMEM;
	}
	return CS_OK;
}

/*
 * Register `r` with Ulfius; a GET route also answers HEAD (RFC 9110 9.3.2) through the same
 * dispatch and handler, so status and headers (Content-Length included) are GET's. libmicrohttpd
 * sends no body in answer to HEAD. HEAD is derived here, not a route-table entry: `curbside
 * routes` and the spec list GET only, and metrics count a HEAD under its GET route.
 */
static int add_endpoints(struct _u_instance *instance, struct registered_route *r)
{
	const struct route *route = r->route;

	if (ulfius_add_endpoint_by_val(instance, route->method, NULL, route->path, PRIORITY_ROUTE,
	                               dispatch, r) != U_OK)
		return CS_EINTERNAL;
	if (strcmp(route->method, "GET") == 0 &&
	    ulfius_add_endpoint_by_val(instance, "HEAD", NULL, route->path, PRIORITY_ROUTE,
	                               dispatch, r) != U_OK)
		return CS_EINTERNAL;
	return CS_OK;
}

int router_register(struct _u_instance *instance, const struct http_env *env,
                    const struct route_table *const *tables, size_t ntables)
{
	int n = count_routes(tables, ntables), rc;

	if ((rc = allocate_registry(n)) != CS_OK)
		return rc;
	if (ulfius_add_endpoint_by_val(instance, "*", NULL, "*", PRIORITY_MIDDLEWARE,
	                               http_middleware, (void *)env) != U_OK) {
		LOG_ERROR("cannot register the middleware");
		return CS_EINTERNAL;
	}
	for (size_t t = 0; t < ntables; t++) {
		for (size_t i = 0; i < tables[t]->count; i++) {
			const struct route *route = &tables[t]->routes[i];
			struct registered_route *r = &registry.routes[registry.count];
			*r = (struct registered_route){route, env, registry.count + 1};
			registry.names[registry.count] = route->path;
			registry.methods[registry.count] = route->method;
			registry.count++;
			if (router_check_route(route) != CS_OK) {
				LOG_ERROR("%s %s (module %s) acts on the selected account but does "
				          "not require one (AUTH_PORTAL_ACCOUNT)",
				          route->method, route->path, tables[t]->module);
				return CS_EINTERNAL;
			}
			if (add_endpoints(instance, r) != CS_OK) {
				LOG_ERROR("cannot register %s %s (module %s)", route->method,
				          route->path, tables[t]->module);
				return CS_EINTERNAL;
			}
		}
	}
	if (ulfius_add_endpoint_by_val(instance, "*", NULL, "*", PRIORITY_FALLBACK, not_found,
	                               (void *)env) != U_OK ||
	    ulfius_set_default_endpoint(instance, not_found, (void *)env) != U_OK) {
		LOG_ERROR("cannot register the fallback endpoint");
		return CS_EINTERNAL;
	}
	return metrics_init(registry.names, registry.methods, registry.count);
}

void router_release(void)
{
	metrics_release();
	free(registry.routes);
	free((void *)registry.names);
	free((void *)registry.methods);
	registry.routes = NULL;
	registry.names = NULL;
	registry.methods = NULL;
	registry.count = 0;
}
