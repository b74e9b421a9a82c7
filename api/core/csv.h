/*
 * CSV as RFC 4180 writes it: comma-separated fields, CRLF line ends, a field quoted when it holds
 * a comma, a semicolon, a double quote, CR or LF, with its double quotes doubled.
 *
 * Text cells are neutralised against formula injection (OWASP's rule): a cell that starts with
 * =, +, -, @, tab or CR (or the full-width ＝ ＋ － ＠ some spreadsheets also read as formulas)
 * gets a single quote in front, so a spreadsheet shows it as text instead of running it. Numbers
 * the code formats itself (amounts such as -12.50) are written with csv_number and left alone.
 */
#ifndef CURBSIDE_CORE_CSV_H
#define CURBSIDE_CORE_CSV_H

#include <stdbool.h>

#include "core/strbuf.h"

/* Append `text` (NULL: an empty field) as one text field, neutralised when a spreadsheet would
 * read it as a formula, preceded by a comma unless `first`. */
void csv_field(struct strbuf *b, const char *text, bool first);

/* Append a number the caller formatted (optional '-', digits, optional '.' and digits) as is; any
 * other text is written as csv_field writes it. */
void csv_number(struct strbuf *b, const char *number, bool first);

/* Whether a spreadsheet would take a cell starting like `text` for a formula. */
bool csv_is_formula_like(const char *text);

/* End the record. */
void csv_end_record(struct strbuf *b);

#endif
