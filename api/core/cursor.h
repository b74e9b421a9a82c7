/*
 * Opaque keyset cursors. A page's next_cursor is base64url of a JSON array: the sort key of the
 * last row and its id (written here for pages rendered in C, by cursor_encode() in db/functions
 * for pages PostgreSQL renders). Clients must treat it as opaque; the server checks its shape
 * before using it.
 */
#ifndef CURBSIDE_CORE_CURSOR_H
#define CURBSIDE_CORE_CURSOR_H

#include <stddef.h>

#include "core/error.h"
#include "core/uuid.h"

/* Longest cursor accepted (characters): the longest sort key (a name of 200 characters of four
 * bytes each) with its id, escaped as JSON and encoded, fits. */
#define CURSOR_MAX_LENGTH 1200

/* Longest sort key a cursor carries (bytes, without the NUL). */
#define CURSOR_MAX_KEY 800

/* A decoded cursor: the last row's sort key (text) and id. */
struct cursor {
	char key[CURSOR_MAX_KEY + 1];
	char id[UUID_TEXT_SIZE];
};

/*
 * The cursor of a row whose sort key is `key` and id `id` into `out`, NUL-terminated. CS_EINVALID
 * when the key is longer than CURSOR_MAX_KEY or the cursor would not fit in CURSOR_MAX_LENGTH.
 */
int cursor_encode(char out[CURSOR_MAX_LENGTH + 1], const char *key, const char *id) CS_MUST_CHECK;

/* Decode `text`. CS_EINVALID when it is not a cursor this server wrote. */
int cursor_decode(struct cursor *out, const char *text) CS_MUST_CHECK;

#endif
