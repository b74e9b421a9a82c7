/*
 * Opaque keyset cursors. A page's next_cursor is base64url of a JSON array: the sort key of the
 * last row and its id (PostgreSQL writes it: cursor_encode() in db/migrations). Clients must treat
 * it as opaque; the server checks its shape before using it.
 */
#ifndef CURBSIDE_CORE_CURSOR_H
#define CURBSIDE_CORE_CURSOR_H

#include <stddef.h>

#include "core/error.h"
#include "core/uuid.h"

/* Longest cursor accepted (characters). */
#define CURSOR_MAX_LENGTH 512

/* A decoded cursor: the last row's sort key (text) and id. */
struct cursor {
	char key[300];
	char id[UUID_TEXT_SIZE];
};

/* Decode `text`. CS_EINVALID when it is not a cursor this server wrote. */
int cursor_decode(struct cursor *out, const char *text) CS_MUST_CHECK;

#endif
