#include "http/middleware.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/log.h"
#include "http/client_address.h"
#include "http/metrics.h"
#include "http/path_match.h"
#include "http/read_deadline.h"
#include "http/reply.h"

static atomic_int inflight;
static atomic_bool draining;

static void request_state_free(void *p)
{
	free(p);
	log_set_request_id(NULL);
	atomic_fetch_sub(&inflight, 1);
}

int http_inflight(void)
{
	return atomic_load(&inflight);
}

void http_begin_draining(void)
{
	atomic_store(&draining, true);
}

void http_ctx_init(struct http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                   const struct http_env *env)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->req = req;
	ctx->resp = resp;
	ctx->app = env->app;
	ctx->env = env;
	ctx->state = resp->shared_data;
}

const char *http_request_id(const struct http_ctx *ctx)
{
	return ctx->state ? ctx->state->request_id : "-";
}

const char *http_path_param(const struct http_ctx *ctx, const char *name)
{
	return path_param(ctx->path, name);
}

const char *http_header(const struct http_ctx *ctx, const char *name)
{
	return u_map_get_case(ctx->req->map_header, name);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void http_finish(struct http_ctx *ctx)
{
	struct request_state *st = ctx->state;

	if (!st || st->finished)
		return;
	st->finished = true;
	/* While stopping, a client should open its next connection to another instance. */
	if (atomic_load(&draining))
		http_set_header(ctx, "Connection", "close");
	double elapsed = seconds_since(&st->started);
	int status = (int)ctx->resp->status;
	int index = st->route ? st->route->index : METRICS_UNMATCHED;
	const char *route = st->route ? st->route->route->path : "unmatched";

	metrics_record(index, status, elapsed);
	/* The route template, never the concrete path or query: they may carry tokens or emails. */
	if (ctx->env->access_log)
		LOG_INFO("method=%s route=%s status=%d duration_ms=%.3f", ctx->req->http_verb,
		         route, status, elapsed * 1000.0);
}

static bool origin_allowed(const struct http_env *env, const char *origin)
{
	if (!origin)
		return false;
	for (char *const *o = env->cors_origins; o && *o; o++)
		if (strcmp(*o, origin) == 0)
			return true;
	return false;
}

/* Answer a CORS preflight. Returns true when the request was one. */
static bool answer_preflight(struct http_ctx *ctx, bool allowed)
{
	if (strcmp(ctx->req->http_verb, "OPTIONS") != 0 ||
	    !http_header(ctx, "Access-Control-Request-Method"))
		return false;
	if (!allowed) {
		http_reply_problem(ctx, 403, "forbidden",
		                   "This origin is not allowed to call the API.", NULL);
		return true;
	}
	http_set_header(ctx, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
	http_set_header(ctx, "Access-Control-Allow-Headers",
	                "Authorization, Content-Type, Idempotency-Key, X-Request-Id");
	http_set_header(ctx, "Access-Control-Max-Age", "600");
	http_reply_no_content(ctx);
	return true;
}

/*
 * The response headers a page may read beyond the CORS-safelisted ones: Content-Disposition names
 * a PDF's file, Allow says what a 405 allows (issue 23; the spec's CORS section lists them too).
 */
static void add_cors_headers(struct http_ctx *ctx, const char *origin)
{
	http_set_header(ctx, "Access-Control-Allow-Origin", origin);
	http_set_header(ctx, "Access-Control-Allow-Credentials", "true");
	http_set_header(ctx, "Access-Control-Expose-Headers",
	                "X-Request-Id, Retry-After, Location, Idempotent-Replayed, "
	                "Content-Disposition, Allow");
	http_set_header(ctx, "Vary", "Origin");
}

/* True when `value` is one Content-Length: digits only (repeated headers arrive joined by ","). */
static bool is_length(const char *value)
{
	return *value && strspn(value, "0123456789") == strlen(value);
}

/* True when a header name has a space or tab in it (before its colon, RFC 9112 section 5.1). */
static bool any_name_spaced(const struct _u_map *headers)
{
	const char **names = u_map_enum_keys(headers);

	for (size_t i = 0; names && names[i]; i++)
		if (strpbrk(names[i], " \t"))
			return true;
	return false;
}

/*
 * A request whose framing two HTTP parsers could read differently (RFC 9112 sections 3.2, 5 and
 * 6.3): a front proxy and this server might disagree on where its body ends, and a request hidden
 * in the body would then be served. libmicrohttpd reads Transfer-Encoding over Content-Length,
 * keeps the first of two Content-Length headers and accepts "Name : value". The detail of what is
 * wrong, or NULL when the framing is sound.
 */
static const char *framing_fault(const struct _u_request *req)
{
	const char *length = u_map_get_case(req->map_header, "Content-Length");

	if (length && u_map_get_case(req->map_header, "Transfer-Encoding"))
		return "A request may not carry both Content-Length and Transfer-Encoding.";
	if (length && !is_length(length))
		return "Content-Length must be one decimal number of bytes, given once.";
	if (strcmp(req->http_protocol, "HTTP/1.0") != 0 && !u_map_get_case(req->map_header, "Host"))
		return "An HTTP/1.1 request must carry a Host header.";
	if (any_name_spaced(req->map_header))
		return "A header name may not contain spaces or tabs.";
	return NULL;
}

/*
 * Bodies over the limit are refused before any handler sees them. Ulfius silently truncates at
 * max_post_body_size, which the server sets one byte above the limit: a body that reached it was
 * longer than allowed even when no Content-Length announced it (chunked uploads).
 */
long http_body_ceiling(long max_body_bytes)
{
	return max_body_bytes > HTTP_IMAGE_BODY_MAX ? max_body_bytes : HTTP_IMAGE_BODY_MAX;
}

static bool is_image_upload(const struct http_ctx *ctx)
{
	const char *ct = http_header(ctx, "Content-Type");

	return ct && (!strncasecmp(ct, "image/png", 9) || !strncasecmp(ct, "image/jpeg", 10));
}

static long body_limit(const struct http_ctx *ctx)
{
	return is_image_upload(ctx) ? http_body_ceiling(ctx->env->max_body_bytes)
	                            : ctx->env->max_body_bytes;
}

static bool body_too_large(const struct http_ctx *ctx)
{
	long limit = body_limit(ctx);
	const char *declared = http_header(ctx, "Content-Length");

	if (declared && strtoll(declared, NULL, 10) > limit)
		return true;
	return ctx->req->binary_body_length > (size_t)limit;
}

int http_middleware(const struct _u_request *req, struct _u_response *resp,
                    const struct http_env *env)
{
	struct request_state *st = calloc(1, sizeof(*st));
	struct http_ctx ctx;

	if (!st)
		return U_CALLBACK_IGNORE;
	atomic_fetch_add(&inflight, 1);
	clock_gettime(CLOCK_MONOTONIC, &st->started);
	const char *given = u_map_get_case(req->map_header, "X-Request-Id");
	if (request_id_is_sane(given))
		strcpy(st->request_id, given);
	else
		request_id_generate(st->request_id);
	ulfius_set_response_shared_data(resp, st, request_state_free);
	log_set_request_id(st->request_id);
	cs_error_clear();

	read_deadline_request_read();
	http_ctx_init(&ctx, req, resp, env);
	http_set_header(&ctx, "X-Request-Id", st->request_id);
	http_set_security_headers(&ctx);
	const char *fault = framing_fault(req);
	if (fault) {
		/* Whatever follows on this connection cannot be trusted to be a request. */
		http_set_header(&ctx, "Connection", "close");
		http_reply_problem(&ctx, 400, "malformed_request", fault, NULL);
		http_finish(&ctx);
		return U_CALLBACK_COMPLETE;
	}
	const char *origin = http_header(&ctx, "Origin");
	bool allowed = origin_allowed(env, origin);
	if (allowed)
		add_cors_headers(&ctx, origin);
	if (answer_preflight(&ctx, allowed)) {
		http_finish(&ctx);
		return U_CALLBACK_COMPLETE;
	}
	if (body_too_large(&ctx)) {
		char detail[128];
		snprintf(detail, sizeof(detail), "Request bodies are limited to %ld bytes.",
		         body_limit(&ctx));
		http_reply_problem(&ctx, 413, "payload_too_large", detail, NULL);
		http_finish(&ctx);
		return U_CALLBACK_COMPLETE;
	}
	return U_CALLBACK_IGNORE;
}

/* The last X-Forwarded-For the request carries, whatever its case: a balancer appends its own
 * line after whatever the client sent (Ulfius joins lines of the same spelling with commas). */
static const char *last_forwarded_for(const struct _u_request *req)
{
	const char **keys = u_map_enum_keys(req->map_header);
	const char *value = NULL;

	for (size_t i = 0; keys && keys[i]; i++)
		if (!strcasecmp(keys[i], "X-Forwarded-For"))
			value = u_map_get(req->map_header, keys[i]);
	return value;
}

void http_client_address(const struct http_ctx *ctx, char *out, size_t cap)
{
	const struct trusted_proxies *proxies = ctx->env->trusted_proxies;

	client_address_resolve(out, cap, proxies, ctx->req->client_address,
	                       proxies ? last_forwarded_for(ctx->req) : NULL);
}
