/*
 * Text for PDF documents: UTF-8 made safe for libharu's UTF-8 encoder, its code points read one
 * at a time, and money amounts as people read them. Pure code, no libharu.
 */
#ifndef CURBSIDE_PDF_TEXT_H
#define CURBSIDE_PDF_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* The most bytes pdf_text_clean writes for `len` bytes of input, its NUL included. */
#define PDF_TEXT_CLEAN_CAP(len) (3 * (len) + 1)

/*
 * Copy the UTF-8 `text` into `out` (size `cap`, always NUL-terminated, cut at a character
 * boundary when too small) as UTF-8 that libharu's encoder takes: a malformed byte and a
 * character outside the Basic Multilingual Plane (libharu's CID fonts stop at U+FFFF) become
 * U+FFFD, control characters (tabs and newlines included) and the thin spaces become a space.
 */
void pdf_text_clean(char *out, size_t cap, const char *text);

/* The code point of the clean UTF-8 at `s` (pdf_text_clean's output) into *cp; returns the
 * bytes it takes (0 at the end of the string). */
size_t pdf_text_next(const char *s, uint32_t *cp);

/*
 * Format `cents` of `currency` (ISO 4217) like "$1,234.56" or "-$5.00" into `out` (size `cap`).
 * USD, CAD, AUD, NZD use "$", EUR "€", GBP "£"; any other currency is
 * written "CHF 1,234.56". The result is UTF-8. Returns CS_EINVALID when `cap` is too small.
 */
int pdf_text_money(char *out, size_t cap, int64_t cents, const char *currency) CS_MUST_CHECK;

/*
 * A file name part from `text` for a Content-Disposition header: letters, digits, '.', '-' and
 * '_' kept, anything else '_', at most `cap - 1` bytes; "document" when nothing is left.
 */
void pdf_text_filename(char *out, size_t cap, const char *text);

#endif
