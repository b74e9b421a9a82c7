#include "http/router.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/stopping.h"
#include "db/audit_actor.h"
#include "http/client_address.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/path_match.h"
#include "http/reads.h"
#include "http/reply.h"

/* A route as the router keeps it: its registration and its template, split once. */
struct compiled_route {
	struct registered_route registered;
	struct path_template template;
};

static struct {
	struct compiled_route *routes;
	const char **names;
	const char **methods;
	int count;
} registry;

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

/* The audit log's name of who acts, or NULL for a principal it does not record (a portal user). */
static const char *audit_kind(enum principal_kind kind)
{
	switch (kind) {
	case PRINCIPAL_STAFF:
		return "staff";
	case PRINCIPAL_API_KEY:
		return "api_key";
	case PRINCIPAL_OPERATOR:
		return "operator";
	default:
		return NULL;
	}
}

/* `text` when it is not empty, else NULL (a JSON null in the actor). */
static const char *or_null(const char *text)
{
	return text[0] ? text : NULL;
}

/*
 * For a write by a staff user, an API key or the operator, make this thread's audit actor
 * (db/audit_actor.h) say who, with which credential, from where, in which request: every row
 * the handler writes is then recorded in the audit log by the database (db/functions/audit.sql).
 * Reads (GET, and HEAD through it) write nothing the log keeps, and set nothing.
 */
static int set_audit_actor(const struct http_ctx *ctx, const struct route *route)
{
	const struct principal *p = &ctx->principal;
	const char *kind = audit_kind(p->kind);
	char address[CLIENT_ADDRESS_SIZE], request[256];
	char *text = NULL;
	int rc = CS_OK;

	if (!kind || strcmp(route->method, "GET") == 0)
		return CS_OK;
	/* The staff user's session, the API key itself, or the one operator token. */
	const char *credential = p->kind == PRINCIPAL_OPERATOR ? "operator token"
	                         : p->kind == PRINCIPAL_STAFF  ? p->session_id
	                                                       : p->user_id;
	http_client_address(ctx, address, sizeof(address));
	snprintf(request, sizeof(request), "%s %s", route->method, route->path);
	json_t *actor = json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s, s:s, s:s}", "kind", kind, "id",
	                          or_null(p->user_id), "role", or_null(p->role), "credential",
	                          credential, "tenant_id", or_null(p->tenant_id), "address",
	                          address, "request_id", http_request_id(ctx), "request", request);
	if (!actor || !(text = json_dumps(actor, JSON_COMPACT)))
		rc = CS_ENOMEM;
	else
		rc = db_audit_actor_set(text);
	free(text);
	json_decref(actor);
	return rc;
}

static int dispatch(const struct _u_request *req, struct _u_response *resp,
                    const struct registered_route *r, const struct path_params *params)
{
	struct http_ctx ctx;

	http_ctx_init(&ctx, req, resp, r->env);
	ctx.path = params;
	if (ctx.state)
		ctx.state->route = r;
	int rc = http_authenticate(&ctx, r->route->auth);
	if (rc == CS_OK)
		rc = set_audit_actor(&ctx, r->route);
	if (rc == CS_OK) {
		rc = r->route->handler(&ctx);
		/* A read the standby could not serve runs again on the primary (http/reads.h). */
		if (http_reads_retry(&ctx, rc))
			rc = r->route->handler(&ctx);
		http_reads_after_write(&ctx);
	}
	db_audit_actor_clear();
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
static void allowed_methods(char *out, size_t cap, const struct path_segments *path)
{
	out[0] = '\0';
	for (int i = 0; i < registry.count; i++) {
		const struct route *route = registry.routes[i].registered.route;
		if (!path_template_matches(&registry.routes[i].template, path) ||
		    strstr(out, route->method))
			continue;
		append_method(out, cap, route->method);
		if (strcmp(route->method, "GET") == 0)
			append_method(out, cap, "HEAD");
	}
}

/* The JSON 405 with Allow when `path` (NULL: none) is served for other methods, else the 404. */
static int not_found(const struct _u_request *req, struct _u_response *resp,
                     const struct http_env *env, const struct path_segments *path)
{
	struct http_ctx ctx;
	char allow[128];

	http_ctx_init(&ctx, req, resp, env);
	allow[0] = '\0';
	if (path)
		allowed_methods(allow, sizeof(allow), path);
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

/*
 * The route for `method` and `path`. A GET route also answers HEAD (RFC 9110 9.3.2) through the
 * same dispatch and handler, so status and headers (Content-Length included) are GET's;
 * libmicrohttpd sends no body in answer to HEAD. HEAD is derived here, not a route-table entry:
 * `curbside routes` and the spec list GET only, and metrics count a HEAD under its GET route.
 * Methods compare without case, as Ulfius compared them.
 */
static const struct compiled_route *find_route(const char *method, const struct path_segments *path)
{
	if (strcasecmp(method, "HEAD") == 0)
		method = "GET";
	for (int i = 0; i < registry.count; i++) {
		const struct compiled_route *r = &registry.routes[i];
		if (strcasecmp(r->registered.route->method, method) == 0 &&
		    path_template_matches(&r->template, path))
			return r;
	}
	return NULL;
}

/*
 * The one Ulfius endpoint: the middleware, then the route (no two routes match one request:
 * router_register refuses overlapping templates), else the JSON 404 or 405.
 */
static int serve(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
	const struct http_env *env = user_data;
	struct path_segments path;
	struct path_params params;

	if (http_middleware(req, resp, env) == U_CALLBACK_COMPLETE)
		return U_CALLBACK_COMPLETE;
	path_split(&path, req->url_path);
	const struct compiled_route *r = find_route(req->http_verb, &path);
	if (!r)
		return not_found(req, resp, env, &path);
	/* A parameter that cannot be decoded names nothing, whatever the method. */
	if (path_params_fill(&params, &r->template, &path) != CS_OK)
		return not_found(req, resp, env, NULL);
	return dispatch(req, resp, &r->registered, &params);
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

/* True when some request could match both templates: one route would hide the other. */
static bool templates_overlap(const struct path_template *a, const struct path_template *b)
{
	if (a->count != b->count)
		return false;
	for (int i = 0; i < a->count; i++)
		if (!a->is_param[i] && !b->is_param[i] &&
		    (a->segment[i].len != b->segment[i].len ||
		     memcmp(a->segment[i].text, b->segment[i].text, a->segment[i].len)))
			return false;
	return true;
}

/* Compile `route` into the registry after checking it; logs what is wrong with it. */
static int add_route(const struct route *route, const struct http_env *env, const char *module)
{
	struct compiled_route *r = &registry.routes[registry.count];

	*r = (struct compiled_route){.registered = {route, env, registry.count + 1}};
	if (router_check_route(route) != CS_OK) {
		LOG_ERROR("%s %s (module %s) acts on the selected account but does not require one "
		          "(AUTH_PORTAL_ACCOUNT)",
		          route->method, route->path, module);
		return CS_EINTERNAL;
	}
	if (path_template_compile(&r->template, route->path) != CS_OK) {
		LOG_ERROR("%s %s (module %s) has too many segments or parameters", route->method,
		          route->path, module);
		return CS_EINTERNAL;
	}
	for (int i = 0; i < registry.count; i++) {
		const struct route *other = registry.routes[i].registered.route;
		if (strcasecmp(other->method, route->method) == 0 &&
		    templates_overlap(&registry.routes[i].template, &r->template)) {
			LOG_ERROR("%s %s (module %s) overlaps %s", route->method, route->path,
			          module, other->path);
			return CS_EINTERNAL;
		}
	}
	registry.names[registry.count] = route->path;
	registry.methods[registry.count] = route->method;
	registry.count++;
	return CS_OK;
}

int router_register(struct _u_instance *instance, const struct http_env *env,
                    const struct route_table *const *tables, size_t ntables)
{
	int n = count_routes(tables, ntables), rc;

	if ((rc = allocate_registry(n)) != CS_OK)
		return rc;
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < tables[t]->count; i++)
			if ((rc = add_route(&tables[t]->routes[i], env, tables[t]->module)) !=
			    CS_OK)
				return rc;
	if (ulfius_add_endpoint_by_val(instance, "*", NULL, "*", 0, serve, (void *)env) != U_OK ||
	    ulfius_set_default_endpoint(instance, serve, (void *)env) != U_OK) {
		LOG_ERROR("cannot register the endpoint");
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
