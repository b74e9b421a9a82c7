/* SHA-256 digests (tokens are stored only as their hashes) and constant-time comparison. */
#ifndef CURBSIDE_CORE_HASH_H
#define CURBSIDE_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Hex characters of a SHA-256 digest plus the NUL. */
#define HASH_SHA256_HEX_SIZE 65

/* SHA-256 of `len` bytes as lower-case hex into `out`. */
int hash_sha256_hex(char out[HASH_SHA256_HEX_SIZE], const void *data, size_t len) CS_MUST_CHECK;

/* True when the two buffers are equal; the time taken depends only on the lengths. */
bool hash_equal_ct(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
