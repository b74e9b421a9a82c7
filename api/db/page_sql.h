/*
 * The SQL of a keyset-paginated list, written once. A page is built whole by PostgreSQL as the
 * JSON text {"items": [...], "next_cursor": "..." | null} in one statement: the rows are read one
 * more than the page size (that extra row says whether another page follows) and the cursor is
 * the last item's sort key and id (cursor_encode() in db/migrations).
 */
#ifndef CURBSIDE_DB_PAGE_SQL_H
#define CURBSIDE_DB_PAGE_SQL_H

/*
 *   rows    a SELECT of whole rows named `r`, filtered, in list order, LIMIT <limit> + 1
 *   render  the function giving an item's JSON from a row
 *   key     the sort key of the row `(s.r)` that goes into the cursor beside its id
 *   order   the list order over `(s.r)`
 *   limit   the parameter holding the page size ("$5")
 */
#define SQL_KEYSET_PAGE(rows, render, key, order, limit)                                           \
	"WITH page AS (SELECT " render "(s.r) AS body, json_build_array(" key ", (s.r).id) AS "    \
	"keys, row_number() OVER (ORDER BY " order ") AS n FROM (" rows ") s) SELECT "             \
	"json_build_object('items', coalesce(json_agg(body ORDER BY n) FILTER (WHERE n <= " limit  \
	"::int), '[]'::json), 'next_cursor', CASE WHEN max(n) > " limit "::int THEN "              \
	"cursor_encode((array_agg(keys ORDER BY n))[" limit "::int]) END)::text FROM page"

/* The same for the children of customer $2 of tenant $1; no row at all when the tenant has no
 * such customer, so the list answers 404 rather than an empty page. */
#define SQL_CUSTOMER_KEYSET_PAGE(rows, render, key, order, limit)                                  \
	SQL_KEYSET_PAGE(rows, render, key, order, limit)                                           \
	" HAVING EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = $1 AND c.id = $2)"

/* A timestamp as a cursor key: UTC to the microsecond, so it parses back to the exact instant
 * (CURSOR_KEY_INSTANT checks the shape). */
#define SQL_CURSOR_INSTANT(col)                                                                    \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#endif
