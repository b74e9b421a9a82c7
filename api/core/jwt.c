#include "core/jwt.h"

#include <jansson.h>
#include <jwt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/hash.h"

static int derive_kid(char kid[17], const char *secret)
{
	char digest[HASH_SHA256_HEX_SIZE];
	int rc = hash_sha256_hex(digest, secret, strlen(secret));

	if (rc == CS_OK) {
		memcpy(kid, digest, 16);
		kid[16] = '\0';
	}
	return rc;
}

int access_token_keys_init(struct access_token_keys *keys, const char *secret,
                           const char *previous_secret)
{
	int rc;

	memset(keys, 0, sizeof(*keys));
	if (!secret || strlen(secret) < ACCESS_TOKEN_SECRET_MIN)
		return CS_EINVALID;
	if (previous_secret && *previous_secret &&
	    strlen(previous_secret) < ACCESS_TOKEN_SECRET_MIN)
		return CS_EINVALID;
	keys->secret = secret;
	if ((rc = derive_kid(keys->kid, secret)) != CS_OK)
		return rc;
	if (previous_secret && *previous_secret) {
		keys->previous_secret = previous_secret;
		rc = derive_kid(keys->previous_kid, previous_secret);
	}
	return rc;
}

int access_token_issue(char **out, const struct access_token_keys *keys,
                       struct access_claims *claims, time_t now)
{
	jwt_t *jwt = NULL;
	int rc = CS_EINTERNAL;

	*out = NULL;
	claims->issued_at = now;
	claims->expires_at = now + ACCESS_TOKEN_TTL;
	if (jwt_new(&jwt) != 0)
		return CS_ENOMEM;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)keys->secret,
	                (int)strlen(keys->secret)) != 0 ||
	    jwt_add_header(jwt, "kid", keys->kid) != 0 ||
	    jwt_add_grant(jwt, "iss", ACCESS_TOKEN_ISSUER) != 0 ||
	    jwt_add_grant(jwt, "aud", claims->audience) != 0 ||
	    jwt_add_grant(jwt, "typ", "access") != 0 ||
	    jwt_add_grant(jwt, "sub", claims->subject) != 0 ||
	    jwt_add_grant(jwt, "tid", claims->tenant_id) != 0 ||
	    jwt_add_grant(jwt, "sid", claims->session_id) != 0 ||
	    (claims->role[0] && jwt_add_grant(jwt, "role", claims->role) != 0) ||
	    (claims->account_id[0] && jwt_add_grant(jwt, "acc", claims->account_id) != 0) ||
	    jwt_add_grant_int(jwt, "iat", (long)claims->issued_at) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)claims->expires_at) != 0)
		goto out;
	*out = jwt_encode_str(jwt);
	rc = *out ? CS_OK : CS_ENOMEM;
out:
	jwt_free(jwt);
	return rc;
}

/* The secret for the token's `kid`, read from its header before any signature work. */
static const char *key_for_header(const struct access_token_keys *keys, const char *token,
                                  size_t header_len)
{
	unsigned char raw[512];
	size_t raw_len = 0;
	json_t *header = NULL;
	const char *secret = NULL;

	if (header_len == 0 || header_len > 600 ||
	    b64url_decode(raw, sizeof(raw), &raw_len, token, header_len) != CS_OK)
		return NULL;
	header = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
	const char *alg = json_string_value(json_object_get(header, "alg"));
	const char *kid = json_string_value(json_object_get(header, "kid"));
	if (alg && kid && strcmp(alg, "HS256") == 0) {
		if (strcmp(kid, keys->kid) == 0)
			secret = keys->secret;
		else if (keys->previous_secret && strcmp(kid, keys->previous_kid) == 0)
			secret = keys->previous_secret;
	}
	json_decref(header);
	return secret;
}

static bool copy_grant(char *dst, size_t cap, jwt_t *jwt, const char *name, bool required)
{
	const char *v = jwt_get_grant(jwt, name);

	if (!v) {
		dst[0] = '\0';
		return !required;
	}
	size_t len = strlen(v);
	if (len == 0 || len >= cap)
		return false;
	memcpy(dst, v, len + 1);
	return true;
}

/* `audience` NULL accepts either kind of signed-in person; the claims then say which. */
static bool audience_matches(const char *aud, const char *audience)
{
	if (audience)
		return strcmp(aud, audience) == 0;
	return strcmp(aud, "staff") == 0 || strcmp(aud, "portal") == 0;
}

static bool claims_valid(struct access_claims *out, jwt_t *jwt, const char *audience, time_t now)
{
	const char *iss = jwt_get_grant(jwt, "iss");
	const char *aud = jwt_get_grant(jwt, "aud");
	const char *typ = jwt_get_grant(jwt, "typ");
	long exp = jwt_get_grant_int(jwt, "exp");
	long iat = jwt_get_grant_int(jwt, "iat");

	if (!iss || strcmp(iss, ACCESS_TOKEN_ISSUER) != 0 || !aud ||
	    !audience_matches(aud, audience) || !typ || strcmp(typ, "access") != 0)
		return false;
	if (exp <= 0 || iat <= 0 || (time_t)exp <= now ||
	    (time_t)iat > now + ACCESS_TOKEN_CLOCK_SKEW || exp - iat > ACCESS_TOKEN_TTL)
		return false;
	out->issued_at = (time_t)iat;
	out->expires_at = (time_t)exp;
	return copy_grant(out->audience, sizeof(out->audience), jwt, "aud", true) &&
	       copy_grant(out->subject, sizeof(out->subject), jwt, "sub", true) &&
	       copy_grant(out->tenant_id, sizeof(out->tenant_id), jwt, "tid", true) &&
	       copy_grant(out->session_id, sizeof(out->session_id), jwt, "sid", true) &&
	       copy_grant(out->role, sizeof(out->role), jwt, "role", false) &&
	       copy_grant(out->account_id, sizeof(out->account_id), jwt, "acc", false);
}

int access_token_verify(struct access_claims *out, const struct access_token_keys *keys,
                        const char *token, const char *audience, time_t now)
{
	jwt_t *jwt = NULL;
	int rc = CS_EUNAUTHORIZED;
	size_t len = token ? strnlen(token, ACCESS_TOKEN_MAX_LEN + 1) : 0;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > ACCESS_TOKEN_MAX_LEN)
		return rc;
	const char *dot = strchr(token, '.');
	if (!dot || !strchr(dot + 1, '.'))
		return rc;
	const char *secret = key_for_header(keys, token, (size_t)(dot - token));
	if (!secret)
		return rc;
	if (jwt_decode(&jwt, token, (const unsigned char *)secret, (int)strlen(secret)) != 0)
		goto out;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256 || !claims_valid(out, jwt, audience, now))
		goto out;
	rc = CS_OK;
out:
	jwt_free(jwt);
	if (rc != CS_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}
