/*
 * What runs around every request: the per-request state (request id, start time), CORS, the body
 * size limit, and at the end the access-log line and the metrics.
 */
#ifndef CURBSIDE_HTTP_MIDDLEWARE_H
#define CURBSIDE_HTTP_MIDDLEWARE_H

#include <stdbool.h>
#include <time.h>
#include <ulfius.h>

#include "core/request_id.h"
#include "http/env.h"
#include "http/route.h"

/*
 * The body limit of image uploads (Content-Type image/png or image/jpeg: the hauler's logo),
 * above CURBSIDE_MAX_BODY_BYTES, which is sized for JSON. The upload's handler keeps its own
 * limit, at most this.
 */
#define HTTP_IMAGE_BODY_MAX (512 * 1024)

/* The most bytes any request body may have: what the server reads before refusing. */
long http_body_ceiling(long max_body_bytes);

/* A route as registered: its table entry, the environment, and its index for metrics. */
struct registered_route {
	const struct route *route;
	const struct http_env *env;
	int index;
};

/* Lives from the first middleware to the moment Ulfius frees the response. */
struct request_state {
	struct timespec started;
	char request_id[REQUEST_ID_SIZE];
	const struct registered_route *route; /* NULL until matched */
	bool finished;
};

/*
 * What runs first for every request (`env`: the struct http_env), before the router looks for
 * its route. Answers malformed framing, preflights and oversize bodies itself
 * (U_CALLBACK_COMPLETE); otherwise lets the request through (U_CALLBACK_IGNORE).
 */
int http_middleware(const struct _u_request *req, struct _u_response *resp,
                    const struct http_env *env);

/* Fill `ctx` for a callback. */
void http_ctx_init(struct http_ctx *ctx, const struct _u_request *req, struct _u_response *resp,
                   const struct http_env *env);

/* Log the request and count it in the metrics; once per request. */
void http_finish(struct http_ctx *ctx);

/* The request id of the request `ctx` serves. */
const char *http_request_id(const struct http_ctx *ctx);

/* The client's address as text ("127.0.0.1"), into `out` (CLIENT_ADDRESS_SIZE bytes): the
 * connection's peer, or who a trusted balancer says it serves (http/client_address.h). */
void http_client_address(const struct http_ctx *ctx, char *out, size_t cap);

/* Requests accepted whose response has not yet been handed to the connection. */
int http_inflight(void);

/* The server is stopping: every answer from now on closes its connection. */
void http_begin_draining(void);

#endif
