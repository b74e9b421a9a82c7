/* CSV as RFC 4180 writes it: comma-separated fields, CRLF line ends, a field quoted when it holds
 * a comma, a double quote, CR or LF, with its double quotes doubled. */
#ifndef CURBSIDE_CORE_CSV_H
#define CURBSIDE_CORE_CSV_H

#include <stdbool.h>

#include "core/strbuf.h"

/* Append `text` (NULL: an empty field) as one field, preceded by a comma unless `first`. */
void csv_field(struct strbuf *b, const char *text, bool first);

/* End the record. */
void csv_end_record(struct strbuf *b);

#endif
