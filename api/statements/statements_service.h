/*
 * The selected account's balance statement (API.md rule 20, GET /v1/portal/statement): read in
 * one statement scoped by the tenant AND the account of the session (statement_rows() of
 * db/migrations/0019_statements.sql, which also applies the default period and refuses a bad
 * range or another account's location), computed by core/statement.h and rendered.
 */
#ifndef CURBSIDE_STATEMENTS_SERVICE_H
#define CURBSIDE_STATEMENTS_SERVICE_H

#include <stddef.h>

#include "db/pool.h"

enum statement_format { STATEMENT_JSON, STATEMENT_PDF, STATEMENT_CSV };

/* A request whose shape was checked: real dates or NULL (defaults), a UUID or NULL. */
struct statement_query {
	const char *from;
	const char *to;
	const char *location_id;
	enum statement_format format;
};

/* A rendered statement: `data` (malloc'd, `len` bytes), its media type and a file name. */
struct statement_file {
	char *data;
	size_t len;
	const char *content_type;
	char filename[160];
};

/* Produce the statement into *out (statement_file_clear frees it). 422 date_range or
 * range_too_long, 404 not_found for a location that is not the account's. */
int statements_produce(struct statement_file *out, struct db_pool *db, const char *tenant_id,
                       const char *customer_id, const struct statement_query *q) CS_MUST_CHECK;

void statement_file_clear(struct statement_file *f);

#endif
