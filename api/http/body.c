#include "http/body.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/reply.h"

/* "application/json", optionally with parameters such as "; charset=utf-8". */
static bool is_json_media_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

int http_json_body(json_t **out, struct http_ctx *ctx)
{
	const struct _u_request *req = ctx->req;
	json_error_t error;
	char detail[256];

	*out = NULL;
	if (req->binary_body_length == 0) {
		http_reply_problem(ctx, 400, "body_required",
		                   "This request needs a JSON object as its body.", NULL);
		return CS_EINVALID;
	}
	if (!is_json_media_type(http_header(ctx, "Content-Type"))) {
		http_reply_problem(ctx, 415, "unsupported_media_type",
		                   "Send the body as application/json.", NULL);
		return CS_EINVALID;
	}
	json_t *doc = json_loadb(req->binary_body, req->binary_body_length,
	                         JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
	if (!doc) {
		snprintf(detail, sizeof(detail),
		         "The body is not valid JSON: %s (line %d, column %d).", error.text,
		         error.line, error.column);
		http_reply_problem(ctx, 400, "malformed_json", detail, NULL);
		return CS_EINVALID;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		http_reply_problem(ctx, 400, "body_not_object", "The body must be a JSON object.",
		                   NULL);
		return CS_EINVALID;
	}
	*out = doc;
	return CS_OK;
}
