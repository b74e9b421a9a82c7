#include "http/auth.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/hash.h"
#include "core/jwt.h"
#include "http/route.h"
#include "staff/staff_service.h"

/*
 * Sessions confirmed active in the database, remembered briefly so that a burst of requests
 * with one token costs one lookup. A revoked session stays usable for at most this long
 * (see docs/decisions.md).
 */
#define SESSION_CACHE_SLOTS 4096
#define SESSION_CACHE_TTL   30

/* A confirmed (session, user, tenant) triple: a forged token reusing a live session id with
 * another user or tenant must miss the cache and fail the database check. */
struct session_slot {
	char key[3 * 37];
	time_t valid_until;
};

static struct {
	pthread_mutex_t lock;
	struct session_slot slots[SESSION_CACHE_SLOTS];
} session_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void session_key(char key[3 * 37], const struct access_claims *c)
{
	snprintf(key, 3 * 37, "%s|%s|%s", c->session_id, c->subject, c->tenant_id);
}

static size_t session_slot_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)(h % SESSION_CACHE_SLOTS);
}

static bool session_cached(const struct access_claims *c, time_t now)
{
	char key[3 * 37];
	bool hit;

	session_key(key, c);
	struct session_slot *s = &session_cache.slots[session_slot_of(key)];
	pthread_mutex_lock(&session_cache.lock);
	hit = strcmp(s->key, key) == 0 && s->valid_until > now;
	pthread_mutex_unlock(&session_cache.lock);
	return hit;
}

static void session_remember(const struct access_claims *c, time_t until)
{
	char key[3 * 37];

	session_key(key, c);
	struct session_slot *s = &session_cache.slots[session_slot_of(key)];
	pthread_mutex_lock(&session_cache.lock);
	strcpy(s->key, key);
	s->valid_until = until;
	pthread_mutex_unlock(&session_cache.lock);
}

static int unauthorized(const char *code, const char *detail)
{
	return cs_error_set(CS_EUNAUTHORIZED, code, "%s", detail);
}

/* The bearer credential of the request, or NULL. */
static const char *bearer_token(const struct http_ctx *ctx)
{
	const char *h = http_header(ctx, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static bool is_operator_token(const struct http_ctx *ctx, const char *token)
{
	const char *expected = ctx->app->cfg.operator_token;

	return hash_equal_ct(token, strlen(token), expected, strlen(expected));
}

static int authenticate_staff(struct http_ctx *ctx, const char *token)
{
	struct access_claims claims;
	time_t now = time(NULL);
	bool active = false;
	int rc;

	if (is_operator_token(ctx, token))
		return cs_error_set(CS_EFORBIDDEN, "forbidden",
		                    "The operator token cannot be used on tenant endpoints.");
	if (access_token_verify(&claims, &ctx->app->keys, token, "staff", now) != CS_OK)
		return unauthorized("invalid_token", "The access token is invalid or has expired.");
	if (!session_cached(&claims, now)) {
		rc = staff_session_active(&active, ctx->app->db, claims.session_id, claims.subject,
		                          claims.tenant_id);
		if (rc != CS_OK)
			return rc;
		if (!active)
			return unauthorized("invalid_token",
			                    "The session of this token has ended.");
		time_t until = now + SESSION_CACHE_TTL;
		session_remember(&claims, until < claims.expires_at ? until : claims.expires_at);
	}
	ctx->principal.kind = PRINCIPAL_STAFF;
	strcpy(ctx->principal.tenant_id, claims.tenant_id);
	strcpy(ctx->principal.user_id, claims.subject);
	strcpy(ctx->principal.session_id, claims.session_id);
	strcpy(ctx->principal.role, claims.role);
	return CS_OK;
}

int http_authenticate(struct http_ctx *ctx, enum route_auth required)
{
	if (required == AUTH_PUBLIC)
		return CS_OK;
	const char *token = bearer_token(ctx);
	if (!token)
		return unauthorized("unauthorized",
		                    "Send credentials in an Authorization: Bearer header.");
	switch (required) {
	case AUTH_OPERATOR:
		if (!is_operator_token(ctx, token))
			return unauthorized("invalid_token",
			                    "This endpoint needs the operator token.");
		ctx->principal.kind = PRINCIPAL_OPERATOR;
		return CS_OK;
	case AUTH_STAFF:
		return authenticate_staff(ctx, token);
	case AUTH_PUBLIC:
		break;
	}
	return CS_OK;
}

int http_require_admin(const struct http_ctx *ctx)
{
	if (ctx->principal.kind == PRINCIPAL_STAFF && strcmp(ctx->principal.role, "admin") == 0)
		return CS_OK;
	return cs_error_set(CS_EFORBIDDEN, "forbidden", "Only a staff admin may do this.");
}
