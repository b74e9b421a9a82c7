/*
 * Text for PDF documents: UTF-8 to the WinAnsi (Windows-1252) bytes of the standard Helvetica
 * fonts, and money amounts as people read them. Pure code, no libharu.
 */
#ifndef CURBSIDE_PDF_TEXT_H
#define CURBSIDE_PDF_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/*
 * Convert the UTF-8 `text` to WinAnsi into `out` (size `cap`, always NUL-terminated, truncated
 * when too small). A character the encoding cannot show becomes '?', malformed UTF-8 becomes '?'
 * per bad byte, control characters (tabs and newlines included) become a space: the output
 * always renders.
 */
void pdf_text_winansi(char *out, size_t cap, const char *text);

/*
 * Format `cents` of `currency` (ISO 4217) like "$1,234.56" or "-$5.00" into `out` (size `cap`).
 * USD, CAD, AUD, NZD use "$", EUR "€" (WinAnsi shows it), GBP "£"; any other currency is
 * written "CHF 1,234.56". The result is UTF-8. Returns CS_EINVALID when `cap` is too small.
 */
int pdf_text_money(char *out, size_t cap, int64_t cents, const char *currency) CS_MUST_CHECK;

/*
 * A file name part from `text` for a Content-Disposition header: letters, digits, '.', '-' and
 * '_' kept, anything else '_', at most `cap - 1` bytes; "document" when nothing is left.
 */
void pdf_text_filename(char *out, size_t cap, const char *text);

#endif
