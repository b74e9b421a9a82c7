#include "http/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/log.h"
#include "http/middleware.h"

void http_set_header(struct http_ctx *ctx, const char *name, const char *value)
{
	u_map_put(ctx->resp->map_header, name, value);
}

void http_set_security_headers(struct http_ctx *ctx)
{
	/* Browsers must take Content-Type as given: no JSON or YAML sniffed into HTML or script. */
	http_set_header(ctx, "X-Content-Type-Options", "nosniff");
	http_set_header(ctx, "Content-Security-Policy",
	                "default-src 'none'; frame-ancestors 'none'");
}

int http_reply_raw(struct http_ctx *ctx, int status, const char *content_type, const char *data,
                   size_t len)
{
	http_set_header(ctx, "Content-Type", content_type);
	if (ulfius_set_binary_body_response(ctx->resp, (unsigned)status, data, len) != U_OK) {
		LOG_ERROR("cannot set a response body of %zu bytes", len);
		ctx->resp->status = 500;
		return CS_ENOMEM;
	}
	return CS_OK;
}

/* A body in memory that outlives the response, streamed from where it is. */
struct static_body {
	const char *data;
	size_t len;
};

static ssize_t static_body_read(void *cls, uint64_t offset, char *out, size_t max)
{
	const struct static_body *b = cls;

	if (offset >= b->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = b->len - (size_t)offset < max ? b->len - (size_t)offset : max;
	memcpy(out, b->data + offset, n);
	return (ssize_t)n;
}

/* Past this size a body is streamed in blocks of it: copying half a megabyte into fresh memory
 * twice per request (Ulfius's body, then its copy for libmicrohttpd) took most of the time of
 * GET /openapi.yaml. */
#define STATIC_BLOCK_BYTES (64 * 1024)

int http_reply_static(struct http_ctx *ctx, int status, const char *content_type, const char *data,
                      size_t len)
{
	if (len <= STATIC_BLOCK_BYTES)
		return http_reply_raw(ctx, status, content_type, data, len);
	struct static_body *b = malloc(sizeof(*b));
	if (!b)
		return CS_ENOMEM;
	*b = (struct static_body){data, len};
	http_set_header(ctx, "Content-Type", content_type);
	if (ulfius_set_stream_response(ctx->resp, (unsigned)status, static_body_read, free, len,
	                               STATIC_BLOCK_BYTES, b) != U_OK) {
		free(b);
		ctx->resp->status = 500;
		return CS_ENOMEM;
	}
	return CS_OK;
}

static int reply_serialised(struct http_ctx *ctx, int status, const char *content_type,
                            json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;

	json_decref(body);
	if (!text) {
		ctx->resp->status = 500;
		return CS_ENOMEM;
	}
	rc = http_reply_raw(ctx, status, content_type, text, strlen(text));
	free(text);
	return rc;
}

int http_reply_json(struct http_ctx *ctx, int status, json_t *body)
{
	return reply_serialised(ctx, status, HTTP_JSON, body);
}

int http_reply_json_text(struct http_ctx *ctx, int status, char *json)
{
	int rc = http_reply_raw(ctx, status, HTTP_JSON, json, strlen(json));

	free(json);
	return rc;
}

int http_reply_no_content(struct http_ctx *ctx)
{
	ctx->resp->status = 204;
	return CS_OK;
}

int http_reply_problem(struct http_ctx *ctx, int status, const char *code, const char *detail,
                       json_t *errors)
{
	char type[96];

	snprintf(type, sizeof(type), "/problems/%s", code);
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", type, "title",
	                         http_reason(status), "status", status, "detail", detail, "code",
	                         code, "request_id", http_request_id(ctx));
	if (body && errors)
		json_object_set_new(body, "errors", errors);
	else
		json_decref(errors);
	return reply_serialised(ctx, status, HTTP_PROBLEM_JSON, body);
}

int http_reply_answer(struct http_ctx *ctx, int status, const char *answer)
{
	if (status < 400)
		return http_reply_raw(ctx, status, HTTP_JSON, answer, strlen(answer));
	json_t *problem = json_loads(answer, 0, NULL);
	if (!json_is_object(problem)) {
		json_decref(problem);
		return http_reply_raw(ctx, status, HTTP_PROBLEM_JSON, answer, strlen(answer));
	}
	json_object_set_new(problem, "request_id", json_string(http_request_id(ctx)));
	return reply_serialised(ctx, status, HTTP_PROBLEM_JSON, problem);
}

int http_status_of(int rc)
{
	switch (rc) {
	case CS_ENOTFOUND:
		return 404;
	case CS_EINVALID:
		return 422;
	case CS_ECONFLICT:
		return 409;
	case CS_EFORBIDDEN:
		return 403;
	case CS_EUNAUTHORIZED:
		return 401;
	case CS_ETHROTTLED:
		return 429;
	case CS_EUNAVAILABLE:
	case CS_EBUSY:
		return 503;
	case CS_EGONE:
		return 410;
	case CS_EDECLINED:
		return 402;
	case CS_EUPSTREAM:
		return 502;
	default:
		return 500;
	}
}

static const char *default_detail(int status)
{
	switch (status) {
	case 401:
		return "Authentication is required.";
	case 403:
		return "You are not allowed to do this.";
	case 404:
		return "The requested resource does not exist.";
	case 409:
		return "The request conflicts with the current state of the resource.";
	case 502:
		return "An outside service did not answer properly. Please retry.";
	case 503:
		return "The service is temporarily unavailable. Please retry.";
	default:
		return "An unexpected error occurred. It has been logged.";
	}
}

int http_reply_error(struct http_ctx *ctx, int rc)
{
	const struct cs_error *e = cs_error_last();
	int status = http_status_of(rc);
	/* Only trust the recorded detail when it belongs to this failure. */
	bool own = e->status == rc;
	const char *code = own && e->code ? e->code : cs_status_code(rc);
	const char *detail = own && e->detail ? e->detail : default_detail(status);

	if (status >= 500 && !own)
		LOG_ERROR("unhandled error %d", rc);
	int retry_after = own ? e->retry_after : 0;
	/* Every 503 says when to come back, whatever produced it (RFC 9110 15.6.4). */
	if (status == 503 && retry_after <= 0)
		retry_after = HTTP_DEFAULT_RETRY_AFTER;
	if (retry_after > 0) {
		char seconds[16];
		snprintf(seconds, sizeof(seconds), "%d", retry_after);
		http_set_header(ctx, "Retry-After", seconds);
	}
	if (status == 401)
		http_set_header(ctx, "WWW-Authenticate", "Bearer");
	json_t *errors = NULL;
	if (own && status == 422 && e->field)
		errors = json_pack("[{s:s, s:s, s:s}]", "field", e->field, "code", code, "message",
		                   detail);
	return http_reply_problem(ctx, status, code, detail, errors);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 402:
		return "Payment Required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Content";
	case 429:
		return "Too Many Requests";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	default:
		return status >= 500 ? "Internal Server Error" : "Error";
	}
}
