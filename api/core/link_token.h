/*
 * Tokens of links that staff may be shown again (invitations): derived from the row they open
 * rather than stored, so only their SHA-256 needs to be kept. A token is the base64url of
 * HMAC-SHA256(key, purpose ":" id ":" nonce); a new nonce gives a new token and kills the old one.
 */
#ifndef CURBSIDE_CORE_LINK_TOKEN_H
#define CURBSIDE_CORE_LINK_TOKEN_H

#include <stddef.h>

#include "core/error.h"

/* Characters of a derived token (base64url of 32 bytes) plus the NUL. */
#define LINK_TOKEN_SIZE 44

/*
 * The token of row `id` with `nonce` for `purpose` ("invitation") under `key` (`key_len` bytes,
 * not empty) into `out`. CS_EINVALID for an empty key or missing text, CS_EINTERNAL when the
 * HMAC cannot be computed.
 */
int link_token_derive(char out[LINK_TOKEN_SIZE], const void *key, size_t key_len,
                      const char *purpose, const char *id, const char *nonce) CS_MUST_CHECK;

/*
 * The portal URL of a link: `public_url` with every "{tenant}" replaced by `slug` (trailing
 * slashes dropped), then "/", `path` ("invitations", "reset-password"), "/" and `token`. *out
 * (caller frees) on success; CS_EINVALID when the slug, path or token hold characters a URL path
 * segment must not (the path may hold inner slashes); CS_ENOMEM.
 */
int link_token_url(char **out, const char *public_url, const char *slug, const char *path,
                   const char *token) CS_MUST_CHECK;

#endif
