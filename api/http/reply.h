/* Responses: JSON bodies, pass-through JSON built by PostgreSQL, and RFC 9457 problems. */
#ifndef CURBSIDE_HTTP_REPLY_H
#define CURBSIDE_HTTP_REPLY_H

#include <jansson.h>
#include <stddef.h>

#include "http/route.h"

#define HTTP_JSON         "application/json; charset=utf-8"
#define HTTP_PROBLEM_JSON "application/problem+json"

/* The Retry-After (seconds) of a 503 whose cause named none. */
#define HTTP_DEFAULT_RETRY_AFTER 1

/* Reply `status` with `body` serialised (the reference is stolen). */
int http_reply_json(struct http_ctx *ctx, int status, json_t *body);

/* Reply `status` with `len` bytes of `content_type` (copied): JSON text from PostgreSQL, files. */
int http_reply_raw(struct http_ctx *ctx, int status, const char *content_type, const char *data,
                   size_t len);

/* Like http_reply_raw for a body that lives as long as the process (embedded files): large ones
 * are sent from where they are instead of copied. */
int http_reply_static(struct http_ctx *ctx, int status, const char *content_type, const char *data,
                      size_t len) CS_MUST_CHECK;

/* Reply `status` with the JSON text `json`, which is freed. */
int http_reply_json_text(struct http_ctx *ctx, int status, char *json);

/* Reply 204 with no body. */
int http_reply_no_content(struct http_ctx *ctx);

/*
 * Reply a problem: `code` a stable snake_case string, `detail` a sentence; `errors` (stolen, may be
 * NULL) the field errors of a 422.
 */
int http_reply_problem(struct http_ctx *ctx, int status, const char *code, const char *detail,
                       json_t *errors);

/*
 * Reply `answer`, a JSON text made before this request's id was known (composed in SQL, or stored
 * for an idempotent replay): a problem (`status` 400 and up) gets this request's `request_id`.
 */
int http_reply_answer(struct http_ctx *ctx, int status, const char *answer);

/* Reply the problem for CS_E* `rc`, using the thread's last error for its code and detail. */
int http_reply_error(struct http_ctx *ctx, int rc);

/* Add a response header (copied). */
void http_set_header(struct http_ctx *ctx, const char *name, const char *value);

/*
 * The headers every answer carries, set by the middleware before anything else: nosniff, and a
 * Content-Security-Policy under which no answer can run anything or be framed if a browser opens
 * it as a page. A handler serving a page (/docs) replaces the policy with its own.
 */
void http_set_security_headers(struct http_ctx *ctx);

/* The HTTP status for a CS_E* value. */
int http_status_of(int rc);

/* The reason phrase of an HTTP status ("Not Found"). */
const char *http_reason(int status);

#endif
