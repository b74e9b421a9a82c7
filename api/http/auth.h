/*
 * Authentication of a request: who is calling (operator, staff user, later portal user or API key)
 * and whether that principal may use the route.
 */
#ifndef CURBSIDE_HTTP_AUTH_H
#define CURBSIDE_HTTP_AUTH_H

#include <stddef.h>

#include "core/error.h"
#include "core/uuid.h"

struct http_ctx;

/* What a route requires of its caller. */
enum route_auth {
	AUTH_PUBLIC,         /* anyone */
	AUTH_OPERATOR,       /* the platform operator token */
	AUTH_STAFF,          /* a staff access token of the tenant */
	AUTH_BACK_OFFICE,    /* a staff access token or a tenant API key (an integrator) */
	AUTH_PORTAL,         /* a portal user's access token, with or without a selected account */
	AUTH_PORTAL_ACCOUNT, /* a portal user's access token with a selected customer account */
	AUTH_SESSION,        /* a signed-in person's token, staff or portal user (e.g. logout) */
};

enum principal_kind {
	PRINCIPAL_NONE,
	PRINCIPAL_OPERATOR,
	PRINCIPAL_STAFF,
	PRINCIPAL_API_KEY,
	PRINCIPAL_PORTAL,
};

struct principal {
	enum principal_kind kind;
	char tenant_id[UUID_TEXT_SIZE];
	char user_id[UUID_TEXT_SIZE];    /* the staff or portal user, or the API key's id */
	char session_id[UUID_TEXT_SIZE]; /* staff and portal users */
	char role[16];                   /* staff role; "integrator" for an API key */
	char account_id[UUID_TEXT_SIZE]; /* portal: the selected account ("" when none yet) */
};

/* The level's name as `curbside routes` prints it ("portal_account"). */
const char *http_auth_level_name(enum route_auth level);

/* Forget every cached credential check (after a revocation in this process). */
void http_auth_cache_clear(void);

/* A stable name of the principal for per-caller records such as idempotency keys. */
void http_principal_name(const struct http_ctx *ctx, char *out, size_t cap);

/*
 * Establish ctx->principal as `required` demands. CS_EUNAUTHORIZED (401, no or bad credentials)
 * or CS_EFORBIDDEN (403, valid credentials of the wrong kind), with the error detail set.
 */
int http_authenticate(struct http_ctx *ctx, enum route_auth required) CS_MUST_CHECK;

/* True when the staff principal has the admin role. */
int http_require_admin(const struct http_ctx *ctx) CS_MUST_CHECK;

#endif
