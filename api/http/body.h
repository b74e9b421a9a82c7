/* The JSON body of a request: content type, presence, syntax and shape, each its own problem. */
#ifndef CURBSIDE_HTTP_BODY_H
#define CURBSIDE_HTTP_BODY_H

#include <jansson.h>

#include "http/route.h"

/*
 * Parse the request body as a JSON object into `*out` (caller decrefs). On failure replies the
 * problem itself (400 body_required / malformed_json / body_not_object, 415) and returns
 * CS_EINVALID with `*out` NULL: the handler just returns CS_OK.
 */
int http_json_body(json_t **out, struct http_ctx *ctx) CS_MUST_CHECK;

#endif
