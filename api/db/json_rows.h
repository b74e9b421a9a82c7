/*
 * JSON written in C from the text columns of a plain SELECT.
 *
 * The read endpoints that carry the most traffic ask PostgreSQL only for the columns of a page —
 * its leanest work — and write the JSON here, rather than having PostgreSQL build it with
 * json_build_object per row (docs/decisions.md, "The read path", issue 20). A shape names the
 * result's columns in order and says how each becomes a JSON value; the members are written in
 * the shape's order, which is the order the OpenAPI document gives.
 */
#ifndef CURBSIDE_DB_JSON_ROWS_H
#define CURBSIDE_DB_JSON_ROWS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/strbuf.h"

enum json_column_kind {
	COL_STRING, /* text: a JSON string */
	COL_NUMBER, /* an integer column, written as PostgreSQL wrote it */
	COL_BOOL,   /* a boolean column ("t"/"f"): true or false */
	COL_RAW,    /* a json or jsonb column, written as it is */
	/* A nested object of the members up to its COL_END. It takes no column of its own: it is
	 * null, and its members' columns are skipped, when its first member's column is NULL. */
	COL_OBJECT,
	COL_END,
	COL_HIDDEN, /* a column read but not written (the sort key a cursor needs) */
};

/* One column of the result (COL_OBJECT and COL_END stand for none). A NULL column is null. */
struct json_column {
	const char *name;
	enum json_column_kind kind;
};

/* Columns of a result, read from `first_column` on. */
struct json_shape {
	const struct json_column *columns;
	size_t count;
	int first_column;
};

#define JSON_SHAPE_AT(array, first)                                                                \
	{                                                                                          \
		.columns = (array), .count = sizeof(array) / sizeof((array)[0]),                   \
		.first_column = (first)                                                            \
	}
#define JSON_SHAPE(array) JSON_SHAPE_AT(array, 0)

/*
 * Append row `row` of `res` to `b` as a JSON object of `shape`. The caller has checked the shape
 * against the result with json_shape_fits.
 */
void json_rows_object(struct strbuf *b, const PGresult *res, int row,
                      const struct json_shape *shape);

/* The same members without the braces around them, for an object with more members. */
void json_rows_members(struct strbuf *b, const PGresult *res, int row,
                       const struct json_shape *shape);

/* True when `res` has the columns `shape` reads, and none after them. */
bool json_shape_fits(const struct json_shape *shape, const PGresult *res);

/* Where a page's cursor comes from: the result's columns of the sort key and of the id. */
struct json_page_keys {
	int key_column, id_column;
};

/*
 * A keyset page from `res`, read with LIMIT `limit` + 1: {"items": [the first `limit` rows as
 * objects of `shape`], "next_cursor": the cursor of the last item when the extra row came, else
 * null}. `*out` is the text (the caller frees it). CS_EINTERNAL when the shape does not fit the
 * result, CS_ENOMEM.
 */
int json_rows_page(char **out, const PGresult *res, const struct json_shape *shape, int limit,
                   struct json_page_keys keys) CS_MUST_CHECK;

#endif
