/*
 * Authentication of a request: who is calling (operator, staff user, later portal user or API key)
 * and whether that principal may use the route.
 */
#ifndef CURBSIDE_HTTP_AUTH_H
#define CURBSIDE_HTTP_AUTH_H

#include "core/error.h"

struct http_ctx;

/* What a route requires of its caller. */
enum route_auth {
	AUTH_PUBLIC,   /* anyone */
	AUTH_OPERATOR, /* the platform operator token */
	AUTH_STAFF,    /* a staff access token of the tenant */
};

enum principal_kind { PRINCIPAL_NONE, PRINCIPAL_OPERATOR, PRINCIPAL_STAFF };

struct principal {
	enum principal_kind kind;
	char tenant_id[37];
	char user_id[37];
	char session_id[37];
	char role[16];
};

/*
 * Establish ctx->principal as `required` demands. CS_EUNAUTHORIZED (401, no or bad credentials)
 * or CS_EFORBIDDEN (403, valid credentials of the wrong kind), with the error detail set.
 */
int http_authenticate(struct http_ctx *ctx, enum route_auth required) CS_MUST_CHECK;

/* True when the staff principal has the admin role. */
int http_require_admin(const struct http_ctx *ctx) CS_MUST_CHECK;

#endif
