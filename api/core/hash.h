/* SHA-256 digests (tokens are stored only as their hashes), HMAC-SHA256 and constant-time
 * comparison. */
#ifndef CURBSIDE_CORE_HASH_H
#define CURBSIDE_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Hex characters of a SHA-256 digest plus the NUL. */
#define HASH_SHA256_HEX_SIZE 65

/* SHA-256 of `len` bytes as lower-case hex into `out`. */
int hash_sha256_hex(char out[HASH_SHA256_HEX_SIZE], const void *data, size_t len) CS_MUST_CHECK;

/* Bytes of a SHA-256 digest (and of an HMAC-SHA256). */
#define HASH_SHA256_SIZE 32

/* HMAC-SHA256 of `len` bytes under `key` into `out` (webhook secrets and signatures). */
int hash_hmac_sha256(unsigned char out[HASH_SHA256_SIZE], const void *key, size_t key_len,
                     const void *data, size_t len) CS_MUST_CHECK;

/* True when the two buffers are equal; the time taken depends only on the lengths. */
bool hash_equal_ct(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
