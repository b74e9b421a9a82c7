/*
 * Access tokens: HS256 JWTs with pinned algorithm and every claim checked here, because libjwt 1.10
 * validates no claims and takes the algorithm from the token itself (DESIGN.md, security rules).
 */
#ifndef CURBSIDE_CORE_JWT_H
#define CURBSIDE_CORE_JWT_H

#include <stddef.h>
#include <time.h>

#include "core/error.h"
#include "core/uuid.h"

#define ACCESS_TOKEN_ISSUER     "curbside"
#define ACCESS_TOKEN_TTL        900  /* seconds: access tokens live 15 minutes */
#define ACCESS_TOKEN_MAX_LEN    2048 /* longer bearer strings are refused before decoding */
#define ACCESS_TOKEN_SECRET_MIN 32   /* bytes */
#define ACCESS_TOKEN_CLOCK_SKEW 60   /* seconds of leeway on iat */

/* The signing keys: the current one signs, both verify (rotation). `kid` is derived from the
 * secret. */
struct access_token_keys {
	const char *secret;
	char kid[17];
	const char *previous_secret; /* NULL when not rotating */
	char previous_kid[17];
};

/* What a verified token says. Strings are NUL-terminated copies. */
struct access_claims {
	char audience[16];            /* "staff" or "portal" */
	char subject[UUID_TEXT_SIZE]; /* user id */
	char tenant_id[UUID_TEXT_SIZE];
	char session_id[UUID_TEXT_SIZE];
	char role[16];                   /* staff role; empty for portal users */
	char account_id[UUID_TEXT_SIZE]; /* selected customer account (portal); empty otherwise */
	time_t issued_at;
	time_t expires_at;
};

/* Fill in the key ids of `keys` from its secrets. Returns CS_EINVALID when a secret is too short.
 */
int access_token_keys_init(struct access_token_keys *keys, const char *secret,
                           const char *previous_secret) CS_MUST_CHECK;

/*
 * Sign a token for `claims` (issued_at/expires_at are set from `now` and ACCESS_TOKEN_TTL).
 * On success `*out` is a malloc'd string the caller frees.
 */
int access_token_issue(char **out, const struct access_token_keys *keys,
                       struct access_claims *claims, time_t now) CS_MUST_CHECK;

/*
 * Verify `token` for `audience` at `now`: length, header (alg HS256, a known kid), signature,
 * typ, iss, aud, exp, iat and the presence of sub/tid/sid. CS_EUNAUTHORIZED on any failure.
 * `audience` NULL accepts a staff or a portal token (one verification for a caller that serves
 * both): `out->audience` says which it was.
 */
int access_token_verify(struct access_claims *out, const struct access_token_keys *keys,
                        const char *token, const char *audience, time_t now) CS_MUST_CHECK;

#endif
