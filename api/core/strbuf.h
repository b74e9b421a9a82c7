/* A growable byte buffer for building response bodies (metrics text, generated JSON). */
#ifndef CURBSIDE_CORE_STRBUF_H
#define CURBSIDE_CORE_STRBUF_H

#include <stddef.h>

#include "core/error.h"

struct strbuf {
	char *data; /* NUL-terminated; owned by the buffer */
	size_t len;
	size_t cap;
	int failed; /* set once an allocation failed; later appends are no-ops */
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, 0                                                                      \
	}

/* Append formatted text. Failures are sticky: check `failed` (or strbuf_detach) once at the end. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Make room for `extra` more bytes at once (a body whose size is known roughly up front grows
 * once instead of doubling its way there). Failures are sticky like the appends'. */
void strbuf_reserve(struct strbuf *b, size_t extra);

/* Append `len` bytes. */
void strbuf_append(struct strbuf *b, const char *s, size_t len);

/* Hand the data to the caller (who frees it); NULL when an append failed. Resets `b`. */
char *strbuf_detach(struct strbuf *b, size_t *len);

/* Free the data (NULL-safe on an empty buffer). */
void strbuf_release(struct strbuf *b);

#endif
