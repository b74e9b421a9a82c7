/*
 * The one way oidc/ talks to the provider: a bounded HTTP request over libcurl with connect and
 * total timeouts. Every failure to get a complete answer is CS_EUPSTREAM provider_unreachable
 * (502), logged with what was being asked.
 */
#ifndef CURBSIDE_OIDC_HTTP_H
#define CURBSIDE_OIDC_HTTP_H

#include <jansson.h>

#include "core/error.h"
#include "core/strbuf.h"

/* A request to the provider; NULL members are left out. */
struct oidc_request {
	const char *url;
	const char *form;       /* a POST body (application/x-www-form-urlencoded), or a GET */
	const char *basic_user; /* HTTP Basic credentials, already form-encoded (RFC 6749 2.3.1) */
	const char *basic_secret;
	const char *bearer; /* an access token sent as `Authorization: Bearer` */
	int timeout_ms;
	const char *what; /* names the request in the log: "discovery", "userinfo" … */
};

/*
 * Send `req`; `*status` and `answer` get the HTTP status and body (at most 256 KiB).
 * CS_EUPSTREAM (recorded) when no complete answer arrived; CS_ENOMEM.
 */
int oidc_http_call(long *status, struct strbuf *answer,
                   const struct oidc_request *req) CS_MUST_CHECK;

/*
 * Send `req` and read its answer as one JSON object: `*out` is the caller's (json_decref). Any
 * other status than 200, or an answer that is not a JSON object, is provider_unreachable too.
 */
int oidc_http_json_object(json_t **out, const struct oidc_request *req) CS_MUST_CHECK;

/* Record (and log, with `what` and `why`) the 502 provider_unreachable; returns CS_EUPSTREAM. */
int oidc_unreachable(const char *what, const char *why);

#endif
