/*
 * A statement as the customer gets it (API.md rule 20): the rows the database sent
 * (statement_rows of db/migrations/0019_statements.sql: first a document of the parties, period,
 * opening balance, unapplied money and the aging inputs as [due_date, owed_cents]; then one row a
 * movement: date, type, id, reference, description, amount_cents) with the arithmetic of
 * core/statement.h done, rendered as JSON, CSV or PDF.
 */
#ifndef CURBSIDE_STATEMENTS_RENDER_H
#define CURBSIDE_STATEMENTS_RENDER_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "core/statement.h"

/* The loaded statement. `doc` and `rows` are borrowed; the arrays are owned
 * (statement_view_clear). */
struct statement_view {
	const json_t *doc;    /* the first row's document */
	const PGresult *rows; /* row 1 + i is movement i */
	int64_t *amounts;
	int64_t *balances;
	struct statement_owed *owed;
	struct statement st;
};

/* Read `doc` (the first row's, parsed) and the movements of `rows`, and compute the statement;
 * CS_EINTERNAL when they are not a statement. */
int statement_view_load(struct statement_view *v, const json_t *doc,
                        const PGresult *rows) CS_MUST_CHECK;

void statement_view_clear(struct statement_view *v);

/* Movement `i`'s member: 0 date, 1 type, 2 id, 3 reference, 4 description (strings; NULL for a
 * missing reference). */
const char *statement_view_text(const struct statement_view *v, size_t i, size_t member);

/* The renderings; *out is malloc'd (caller frees), *len bytes. */
int statements_render_json(char **out, size_t *len, const struct statement_view *v) CS_MUST_CHECK;
int statements_render_csv(char **out, size_t *len, const struct statement_view *v) CS_MUST_CHECK;
int statements_render_pdf(unsigned char **out, size_t *len,
                          const struct statement_view *v) CS_MUST_CHECK;

#endif
