/*
 * The size of a UUID in canonical text form ("8-4-4-4-12" hex digits and hyphens), the one
 * spelling every buffer that holds one uses.
 */
#ifndef CURBSIDE_CORE_UUID_H
#define CURBSIDE_CORE_UUID_H

/* Characters of a UUID's text form. */
#define UUID_TEXT_LEN 36

/* Bytes of a buffer holding a UUID's text form and its NUL. */
#define UUID_TEXT_SIZE (UUID_TEXT_LEN + 1)

#endif
