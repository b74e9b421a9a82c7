/* JSON text written by hand into a strbuf, for answers too large to build as jansson values. */
#ifndef CURBSIDE_CORE_JSON_TEXT_H
#define CURBSIDE_CORE_JSON_TEXT_H

#include <stdint.h>

#include "core/strbuf.h"

/* Append `text` (UTF-8; NULL: null) as a JSON string: quoted, with '"', '\' and the control
 * characters escaped (\n, \r, \t, \b, \f or \u00XX); other bytes are copied as they are. */
void json_text_string(struct strbuf *b, const char *text);

/* Append a whole number. */
void json_text_int(struct strbuf *b, int64_t n);

#endif
