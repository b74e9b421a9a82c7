/*
 * Tenant API keys: long random secrets an integrator sends as `Authorization: Bearer csk_…`.
 * Only their SHA-256 is stored; the key is shown once, at creation.
 */
#ifndef CURBSIDE_API_KEYS_SERVICE_H
#define CURBSIDE_API_KEYS_SERVICE_H

#include <stdbool.h>

#include "core/uuid.h"
#include "db/pool.h"

/* Every key starts with this, so a bearer credential's kind is known before any lookup. */
#define API_KEY_PREFIX     "csk_"
#define API_KEY_MAX_LENGTH 128

/* What a key hash resolves to. */
struct api_key_identity {
	bool found;
	char tenant_id[UUID_TEXT_SIZE];
	char key_id[UUID_TEXT_SIZE];
};

/* True when `token` has the shape of an API key (not of a JWT). */
bool api_key_looks_like(const char *token);

/* Resolve an unrevoked key by its hash, recording its use. */
int api_keys_identify(struct api_key_identity *out, struct db_pool *db,
                      const char *key_hash) CS_MUST_CHECK;

/* Create a key named `name`; *out (caller frees) is its JSON including the key itself. */
int api_keys_create(char **out, struct db_pool *db, const char *tenant_id,
                    const char *staff_user_id, const char *name) CS_MUST_CHECK;

/* The tenant's keys, newest first, as a list JSON (never the keys themselves). */
int api_keys_list(char **out, struct db_pool *db, const char *tenant_id) CS_MUST_CHECK;

/* Revoke a key (already revoked is fine); CS_ENOTFOUND when the tenant has no such key. */
int api_keys_revoke(struct db_pool *db, const char *tenant_id, const char *key_id) CS_MUST_CHECK;

#endif
