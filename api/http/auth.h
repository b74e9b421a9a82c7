/*
 * Authentication of a request: who is calling (operator, staff user, later portal user or API key)
 * and whether that principal may use the route.
 */
#ifndef CURBSIDE_HTTP_AUTH_H
#define CURBSIDE_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/jwt.h"
#include "core/uuid.h"
#include "db/pool.h"

struct http_ctx;

/* Longer bearer credentials are never looked up as API keys. */
#define API_KEY_MAX_LENGTH 128

/* What a route requires of its caller. */
enum route_auth {
	AUTH_PUBLIC,         /* anyone */
	AUTH_OPERATOR,       /* the platform operator token */
	AUTH_STAFF,          /* a staff access token of the tenant */
	AUTH_BACK_OFFICE,    /* a staff access token or a tenant API key (an integrator) */
	AUTH_PORTAL,         /* a portal user's access token, with or without a selected account */
	AUTH_PORTAL_ACCOUNT, /* a portal user's access token with a selected customer account */
	AUTH_SESSION,        /* a signed-in person's token, staff or portal user (e.g. logout) */
	AUTH_STAFF_OR_OPERATOR, /* a staff access token of the tenant, or the operator token (what
	                           the operator sees across tenants, e.g. the audit log) */
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

/* What a portal access token's session looks like now (portal_session_check). */
enum portal_session_state {
	PORTAL_SESSION_ACTIVE,
	PORTAL_SESSION_ENDED,               /* revoked, expired or unknown */
	PORTAL_SESSION_PORTAL_DISABLED,     /* the tenant's portal is off (rule 1) */
	PORTAL_SESSION_ACCOUNT_UNAVAILABLE, /* the selected account lost portal access or its link
	                                     */
};

/* What an API key hash resolves to (api_keys_identify). */
struct api_key_identity {
	bool found;
	char tenant_id[UUID_TEXT_SIZE];
	char key_id[UUID_TEXT_SIZE];
};

/*
 * The database checks behind http_authenticate. The modules that own staff sessions, portal
 * sessions and API keys supply them (app.c wires them into struct http_env), so http/ includes
 * none of those modules. Each returns CS_OK with its answer filled in, or the error of a database
 * that could not answer.
 */
struct http_credential_checks {
	/* Whether session `session_id` of staff user `user_id` in tenant `tenant_id` is active. */
	int (*staff_session)(bool *active, struct db_pool *db, const char *session_id,
	                     const char *user_id, const char *tenant_id);
	/* The state of the portal session the claims name, for their user, tenant and account. */
	int (*portal_session)(enum portal_session_state *state, struct db_pool *db,
	                      const struct access_claims *claims);
	/* True when `token` has the shape of an API key (not of a JWT), before any lookup. */
	bool (*is_api_key)(const char *token);
	/* The unrevoked key with SHA-256 `key_hash` (hex), its use recorded. */
	int (*api_key)(struct api_key_identity *out, struct db_pool *db, const char *key_hash);
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
