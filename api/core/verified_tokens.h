/*
 * Access tokens verified lately. A signed-in person's every request carries the same token, and
 * checking it (base64, two JSON documents, an HMAC) was about a fifth of the server's CPU for a
 * portal list: a token verified once is looked up instead until it expires.
 *
 * An entry is found by the token's whole text, compared byte for byte (never by a hash alone), and
 * only serves until the token's own expiry. Whether the token's session is still live is not
 * remembered here: the caller checks that as before (http/auth.c).
 */
#ifndef CURBSIDE_CORE_VERIFIED_TOKENS_H
#define CURBSIDE_CORE_VERIFIED_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/jwt.h"

/* Longer tokens are verified every time (ours are about 470 bytes). */
#define VERIFIED_TOKEN_MAX_LEN 640

/* True, with the claims copied into `out`, when `token` was verified and has not expired by `now`.
 */
bool verified_tokens_lookup(struct access_claims *out, const char *token, time_t now);

/* Remember that `token` verified to `claims` (a token too long to keep is not kept). */
void verified_tokens_store(const char *token, const struct access_claims *claims);

/* Forget every token (tests). */
void verified_tokens_clear(void);

#endif
