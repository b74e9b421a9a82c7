/* Bytes as lower-case hexadecimal and back: how bytea travels as text to and from PostgreSQL. */
#ifndef CURBSIDE_CORE_HEX_H
#define CURBSIDE_CORE_HEX_H

#include <stddef.h>

/* The value of the hex digit `c` (any case), or -1. */
int hex_digit(char c);

/* `len` bytes as 2 * len hex digits into `out` (2 * len + 1 bytes, NUL-terminated). */
void hex_encode(char *out, const unsigned char *in, size_t len);

/*
 * The bytes of the hex digits `in` (any case, an even count) into *out (malloc'd, caller
 * frees; at least one byte even for ""), *len of them. -1 for an odd count or a non-hex digit
 * (*out NULL), -2 when out of memory.
 */
int hex_decode(unsigned char **out, size_t *len, const char *in);

#endif
