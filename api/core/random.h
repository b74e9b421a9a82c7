/* Cryptographically secure randomness (getrandom). */
#ifndef CURBSIDE_CORE_RANDOM_H
#define CURBSIDE_CORE_RANDOM_H

#include <stddef.h>

#include "core/error.h"
#include "core/uuid.h"

/* Fill `buf` with `len` random bytes. Returns CS_EINTERNAL if the kernel cannot supply them. */
int random_bytes(void *buf, size_t len) CS_MUST_CHECK;

/* Bytes of entropy in an opaque token (DESIGN.md: 256 bits). */
#define RANDOM_TOKEN_BYTES 32
/* Characters of such a token in base64url, plus the NUL. */
#define RANDOM_TOKEN_SIZE 44

/* A fresh 256-bit token, base64url, into `out` (RANDOM_TOKEN_SIZE bytes). */
int random_token(char out[RANDOM_TOKEN_SIZE]) CS_MUST_CHECK;

/* A fresh token and the SHA-256 hex of it, which is all the database keeps (DESIGN.md). */
struct random_hashed_token {
	char token[RANDOM_TOKEN_SIZE];
	char hash[65]; /* HASH_SHA256_HEX_SIZE */
};

/* Fill `out` with a fresh token and its hash. */
int random_hashed_token(struct random_hashed_token *out) CS_MUST_CHECK;

/* A random RFC 4122 version-4 UUID in text form (UUID_TEXT_SIZE bytes with the NUL). */
int random_uuid(char out[UUID_TEXT_SIZE]) CS_MUST_CHECK;

#endif
