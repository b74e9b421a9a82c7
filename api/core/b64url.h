/* base64url without padding (RFC 4648 §5), as used in tokens and JWTs. */
#ifndef CURBSIDE_CORE_B64URL_H
#define CURBSIDE_CORE_B64URL_H

#include <stddef.h>

#include "core/error.h"

/* Characters needed to encode `len` bytes, without the NUL. */
size_t b64url_encoded_len(size_t len);

/* Encode `len` bytes into `out` (at least b64url_encoded_len(len) + 1 bytes); NUL-terminates. */
void b64url_encode(char *out, const unsigned char *in, size_t len);

/*
 * Decode `in` (`in_len` characters) into `out` (capacity `out_cap`); `*out_len` gets the byte
 * count. Returns CS_EINVALID on a character outside the alphabet, a bad length or a too small
 * buffer.
 */
int b64url_decode(unsigned char *out, size_t out_cap, size_t *out_len, const char *in,
                  size_t in_len) CS_MUST_CHECK;

#endif
