/*
 * Path and query parameters: ids in paths (a malformed one is simply not found), the paging
 * parameters every list takes (limit, cursor) and the filters a list declares. Unknown query
 * parameters are refused, so a typo in a filter never silently returns everything.
 */
#ifndef CURBSIDE_HTTP_PARAMS_H
#define CURBSIDE_HTTP_PARAMS_H

#include <stdbool.h>

#include "core/cursor.h"
#include "http/fields.h"
#include "http/route.h"

#define LIST_LIMIT_DEFAULT 25
#define LIST_LIMIT_MAX     100

/* What a list sorts by, so a cursor's key can be checked before it reaches SQL. */
enum cursor_key {
	CURSOR_KEY_TEXT,
	CURSOR_KEY_DATE,    /* YYYY-MM-DD */
	CURSOR_KEY_INSTANT, /* a timestamp as cursor_instant() in SQL writes it (microseconds) */
};

/*
 * First-page sentinels for http_list_after: keys and ids that sort before every row (ascending
 * lists) or after every row (descending lists).
 */
#define CURSOR_NIL_ID              "00000000-0000-0000-0000-000000000000"
#define CURSOR_MAX_ID              "ffffffff-ffff-ffff-ffff-ffffffffffff"
#define CURSOR_BEFORE_ALL_INSTANTS "-infinity"
#define CURSOR_AFTER_ALL_DATES     "infinity"

/* A list request's paging: `limit` as text for SQL and as `size`; `after` set when a cursor was
 * given. */
struct list_params {
	char limit[8];
	int size;
	bool has_cursor;
	struct cursor after;
};

/*
 * The id in path parameter `name`, or NULL after recording a 404 (`what` names the resource in
 * the sentence: "customer"). A malformed id cannot exist, so it is not found rather than invalid.
 */
const char *http_path_id(const struct http_ctx *ctx, const char *name, const char *what);

/* The value of query parameter `name` (NULL when absent). */
const char *http_query_param(const struct http_ctx *ctx, const char *name);

/*
 * Check the query: limit (1..100), cursor (its key of kind `key`), and only the `filters` named
 * (NULL-terminated, may be NULL) besides them; `errs` collects every problem. Fills `out`.
 */
void http_list_params(struct list_params *out, struct field_errors *errs,
                      const struct http_ctx *ctx, enum cursor_key key, const char *const *filters);

/*
 * The value of query parameter `name` when it is absent (NULL) or one of `allowed`
 * (NULL-terminated); otherwise an invalid_parameter error with `sentence` is added to `errs`.
 */
const char *http_query_enum(struct field_errors *errs, const struct http_ctx *ctx, const char *name,
                            const char *const *allowed, const char *sentence);

/*
 * The value of query parameter `name` when it is absent (NULL) or an id (a UUID); otherwise an
 * invalid_parameter error with `sentence` is added to `errs`.
 */
const char *http_query_uuid(struct field_errors *errs, const struct http_ctx *ctx, const char *name,
                            const char *sentence);

/*
 * As http_query_enum, for a parameter that may name several of `allowed`, separated by commas
 * ("new,accepted"); the value is returned as given.
 */
const char *http_query_enum_list(struct field_errors *errs, const struct http_ctx *ctx,
                                 const char *name, const char *const *allowed,
                                 const char *sentence);

/*
 * The date range `from`..`to` of a list's query: each absent (NULL) or a real date YYYY-MM-DD,
 * and from <= to when both are given; every problem goes to `errs` as invalid_parameter naming
 * its parameter.
 */
void http_query_date_range(struct field_errors *errs, const struct http_ctx *ctx, const char **from,
                           const char **to);

/* The cursor's key and id as SQL parameters: the given ones, or `first_key`/`first_id` (values
 * that sort before every row) for the first page, so one statement serves every page. */
void http_list_after(const struct list_params *p, const char **key, const char **id,
                     const char *first_key, const char *first_id);

#endif
