#include "http/auth.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/hash.h"
#include "core/jwt.h"
#include "core/verified_tokens.h"
#include "http/env.h"
#include "http/route.h"

/*
 * Credentials confirmed in the database (a live staff session, an unrevoked API key), remembered
 * briefly so that a burst of requests with one credential costs one lookup. A revocation reaches
 * another process within this time (see docs/decisions.md); this process forgets at once.
 *
 * The cache is set-associative: a key may sit in any of the CREDENTIAL_CACHE_WAYS slots of its
 * set, so a few thousand signed-in users do not evict each other the way they would in one slot
 * per hash (with 1,000 users in 4,096 direct-mapped slots about one in nine collided, and each
 * collision cost a database lookup on every other request).
 */
#define CREDENTIAL_CACHE_SETS 1024
#define CREDENTIAL_CACHE_WAYS 4
#define CREDENTIAL_CACHE_TTL  30

struct credential_slot {
	/* What was checked: "s|session|user|tenant", "p|session|user|tenant|account", "k|key hash".
	 */
	char key[160];
	char value[80]; /* what the check found (an API key's "tenant|key id") */
	time_t valid_until;
};

static struct {
	pthread_mutex_t lock;
	struct credential_slot slots[CREDENTIAL_CACHE_SETS][CREDENTIAL_CACHE_WAYS];
} credential_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct credential_slot *set_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *k = key; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return credential_cache.slots[h % CREDENTIAL_CACHE_SETS];
}

/* The slot of the set `set` holding `key`, or NULL. Called with the lock held. */
static struct credential_slot *slot_holding(struct credential_slot *set, const char *key)
{
	for (int w = 0; w < CREDENTIAL_CACHE_WAYS; w++)
		if (strcmp(set[w].key, key) == 0)
			return &set[w];
	return NULL;
}

/* True (and the found value copied into `value`) when `key` was confirmed recently. */
static bool cache_lookup(const char *key, char value[80], time_t now)
{
	struct credential_slot *set = set_of(key), *s;
	bool hit;

	pthread_mutex_lock(&credential_cache.lock);
	s = slot_holding(set, key);
	hit = s && s->valid_until > now;
	if (hit && value)
		memcpy(value, s->value, sizeof(s->value));
	pthread_mutex_unlock(&credential_cache.lock);
	return hit;
}

/* Store `key` in its own slot if it has one, else in the slot of its set that expires first. */
static void cache_store(const char *key, const char *value, time_t until)
{
	struct credential_slot *set = set_of(key), *s;

	pthread_mutex_lock(&credential_cache.lock);
	if (!(s = slot_holding(set, key))) {
		s = &set[0];
		for (int w = 1; w < CREDENTIAL_CACHE_WAYS; w++)
			if (set[w].valid_until < s->valid_until)
				s = &set[w];
	}
	snprintf(s->key, sizeof(s->key), "%s", key);
	snprintf(s->value, sizeof(s->value), "%s", value);
	s->valid_until = until;
	pthread_mutex_unlock(&credential_cache.lock);
}

const char *http_auth_level_name(enum route_auth level)
{
	switch (level) {
	case AUTH_PUBLIC:
		return "public";
	case AUTH_OPERATOR:
		return "operator";
	case AUTH_STAFF:
		return "staff";
	case AUTH_BACK_OFFICE:
		return "back_office";
	case AUTH_PORTAL:
		return "portal";
	case AUTH_PORTAL_ACCOUNT:
		return "portal_account";
	case AUTH_SESSION:
		return "session";
	case AUTH_STAFF_OR_OPERATOR:
		return "staff_or_operator";
	}
	return "unknown";
}

void http_auth_cache_clear(void)
{
	pthread_mutex_lock(&credential_cache.lock);
	memset(credential_cache.slots, 0, sizeof(credential_cache.slots));
	pthread_mutex_unlock(&credential_cache.lock);
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
	const char *expected = ctx->env->operator_token;

	return hash_equal_ct(token, strlen(token), expected, strlen(expected));
}

static int portal_state_problem(enum portal_session_state state)
{
	switch (state) {
	case PORTAL_SESSION_PORTAL_DISABLED:
		return cs_error_set(CS_EFORBIDDEN, "portal_disabled",
		                    "This online account portal is not available.");
	case PORTAL_SESSION_ACCOUNT_UNAVAILABLE:
		return cs_error_set(CS_EFORBIDDEN, "portal_access_disabled",
		                    "Online access to this account has been switched off. Please "
		                    "contact us.");
	default:
		return unauthorized("invalid_token", "The session of this token has ended.");
	}
}

/* A portal user's token: its session must be live, its tenant's portal on, its account open. */
static int authenticate_portal(struct http_ctx *ctx, const struct access_claims *claims,
                               enum route_auth required)
{
	enum portal_session_state state = PORTAL_SESSION_ENDED;
	char key[160];
	time_t now = time(NULL);
	int rc;

	snprintf(key, sizeof(key), "p|%s|%s|%s|%s", claims->session_id, claims->subject,
	         claims->tenant_id, claims->account_id);
	if (!cache_lookup(key, NULL, now)) {
		if ((rc = ctx->env->checks->portal_session(&state, ctx->env->db, claims)) != CS_OK)
			return rc;
		if (state != PORTAL_SESSION_ACTIVE)
			return portal_state_problem(state);
		time_t until = now + CREDENTIAL_CACHE_TTL;
		cache_store(key, "", until < claims->expires_at ? until : claims->expires_at);
	}
	/* Only a live session earns "wrong kind" (403); anything else is an invalid token (401). */
	if (required != AUTH_PORTAL && required != AUTH_PORTAL_ACCOUNT && required != AUTH_SESSION)
		return cs_error_set(CS_EFORBIDDEN, "forbidden",
		                    "A portal sign-in cannot be used on back-office endpoints.");
	if (required == AUTH_PORTAL_ACCOUNT && !claims->account_id[0])
		return cs_error_set(
		        CS_EFORBIDDEN, "account_selection_required",
		        "Choose one of your accounts first (POST /v1/session/account).");
	ctx->principal.kind = PRINCIPAL_PORTAL;
	strcpy(ctx->principal.tenant_id, claims->tenant_id);
	strcpy(ctx->principal.user_id, claims->subject);
	strcpy(ctx->principal.session_id, claims->session_id);
	strcpy(ctx->principal.account_id, claims->account_id);
	return CS_OK;
}

/* A staff user's token: its session must be live. */
static int authenticate_staff(struct http_ctx *ctx, const struct access_claims *claims,
                              enum route_auth required)
{
	char key[128];
	time_t now = time(NULL);
	bool active = false;
	int rc;

	/* A forged token reusing a live session id with another user or tenant misses the cache. */
	snprintf(key, sizeof(key), "s|%s|%s|%s", claims->session_id, claims->subject,
	         claims->tenant_id);
	if (!cache_lookup(key, NULL, now)) {
		rc = ctx->env->checks->staff_session(&active, ctx->env->db, claims->session_id,
		                                     claims->subject, claims->tenant_id);
		if (rc != CS_OK)
			return rc;
		if (!active)
			return unauthorized("invalid_token",
			                    "The session of this token has ended.");
		time_t until = now + CREDENTIAL_CACHE_TTL;
		cache_store(key, "", until < claims->expires_at ? until : claims->expires_at);
	}
	if (required == AUTH_PORTAL || required == AUTH_PORTAL_ACCOUNT)
		return cs_error_set(CS_EFORBIDDEN, "forbidden",
		                    "A staff sign-in cannot be used on portal endpoints.");
	ctx->principal.kind = PRINCIPAL_STAFF;
	strcpy(ctx->principal.tenant_id, claims->tenant_id);
	strcpy(ctx->principal.user_id, claims->subject);
	strcpy(ctx->principal.session_id, claims->session_id);
	strcpy(ctx->principal.role, claims->role);
	return CS_OK;
}

/* A signed-in person's access token, staff or portal user: verified once, then looked up
 * (core/verified_tokens.h) until it expires; its session is checked either way. */
static int authenticate_access_token(struct http_ctx *ctx, const char *token,
                                     enum route_auth required)
{
	struct access_claims claims;
	time_t now = time(NULL);

	if (!verified_tokens_lookup(&claims, token, now)) {
		if (access_token_verify(&claims, ctx->env->keys, token, NULL, now) != CS_OK)
			return unauthorized("invalid_token",
			                    "The access token is invalid or has expired.");
		verified_tokens_store(token, &claims);
	}
	if (strcmp(claims.audience, "portal") == 0)
		return authenticate_portal(ctx, &claims, required);
	return authenticate_staff(ctx, &claims, required);
}

static int authenticate_api_key(struct http_ctx *ctx, const char *token)
{
	char hash[HASH_SHA256_HEX_SIZE], key[128], found[80];
	struct api_key_identity identity;
	time_t now = time(NULL);
	int rc;

	if (strlen(token) > API_KEY_MAX_LENGTH ||
	    hash_sha256_hex(hash, token, strlen(token)) != CS_OK)
		return unauthorized("invalid_token", "The API key is invalid or has been revoked.");
	snprintf(key, sizeof(key), "k|%s", hash);
	if (!cache_lookup(key, found, now)) {
		if ((rc = ctx->env->checks->api_key(&identity, ctx->env->db, hash)) != CS_OK)
			return rc;
		if (!identity.found)
			return unauthorized("invalid_token",
			                    "The API key is invalid or has been revoked.");
		snprintf(found, sizeof(found), "%s|%s", identity.tenant_id, identity.key_id);
		cache_store(key, found, now + CREDENTIAL_CACHE_TTL);
	}
	ctx->principal.kind = PRINCIPAL_API_KEY;
	/* `found` is "<tenant id>|<key id>". */
	snprintf(ctx->principal.tenant_id, sizeof(ctx->principal.tenant_id), "%.*s", UUID_TEXT_LEN,
	         found);
	snprintf(ctx->principal.user_id, sizeof(ctx->principal.user_id), "%.*s", UUID_TEXT_LEN,
	         found + UUID_TEXT_LEN + 1);
	strcpy(ctx->principal.role, "integrator");
	return CS_OK;
}

static int authenticate_tenant_caller(struct http_ctx *ctx, const char *token,
                                      enum route_auth required)
{
	if (is_operator_token(ctx, token))
		return cs_error_set(CS_EFORBIDDEN, "forbidden",
		                    "The operator token cannot be used on tenant endpoints.");
	if (ctx->env->checks->is_api_key(token)) {
		if (required == AUTH_SESSION)
			return cs_error_set(CS_EFORBIDDEN, "forbidden",
			                    "An API key has no session to end; an admin revokes it "
			                    "instead (DELETE /v1/admin/api-keys/{id}).");
		if (required == AUTH_PORTAL || required == AUTH_PORTAL_ACCOUNT)
			return cs_error_set(CS_EFORBIDDEN, "forbidden",
			                    "An API key cannot be used on portal endpoints.");
		if (required != AUTH_BACK_OFFICE)
			return cs_error_set(CS_EFORBIDDEN, "forbidden",
			                    "An API key cannot be used here; sign in as staff.");
		return authenticate_api_key(ctx, token);
	}
	return authenticate_access_token(ctx, token, required);
}

int http_authenticate(struct http_ctx *ctx, enum route_auth required)
{
	if (required == AUTH_PUBLIC)
		return CS_OK;
	const char *token = bearer_token(ctx);
	if (!token)
		return unauthorized("unauthorized",
		                    "Send credentials in an Authorization: Bearer header.");
	if (required == AUTH_OPERATOR) {
		if (!is_operator_token(ctx, token))
			return unauthorized("invalid_token",
			                    "This endpoint needs the operator token.");
		ctx->principal.kind = PRINCIPAL_OPERATOR;
		return CS_OK;
	}
	if (required == AUTH_STAFF_OR_OPERATOR && is_operator_token(ctx, token)) {
		ctx->principal.kind = PRINCIPAL_OPERATOR;
		return CS_OK;
	}
	return authenticate_tenant_caller(ctx, token, required);
}

int http_require_admin(const struct http_ctx *ctx)
{
	if (ctx->principal.kind == PRINCIPAL_STAFF && strcmp(ctx->principal.role, "admin") == 0)
		return CS_OK;
	return cs_error_set(CS_EFORBIDDEN, "forbidden", "Only a staff admin may do this.");
}

void http_principal_name(const struct http_ctx *ctx, char *out, size_t cap)
{
	const char *kind = ctx->principal.kind == PRINCIPAL_API_KEY  ? "key"
	                   : ctx->principal.kind == PRINCIPAL_PORTAL ? "portal"
	                                                             : "staff";

	snprintf(out, cap, "%s:%s", kind, ctx->principal.user_id);
}
