/*
 * Statement parameters counted by the compiler and checked against the SQL.
 *
 * Every statement runs with its values in an array passed as DB_PARAMS(array): the length is the
 * array's own (sizeof), never a number typed beside it. Before anything is sent, the pool (db_exec)
 * and the workers' statements (db_loop_query_text) compare that length with the highest $N
 * placeholder of the SQL text, so a value forgotten or added at a call site fails at once, naming
 * the statement, instead of reading past the array or binding values to the wrong placeholders.
 */
#ifndef CURBSIDE_DB_SQL_PARAMS_H
#define CURBSIDE_DB_SQL_PARAMS_H

#include "core/error.h"

/* 0, or a compile error when `a` is a pointer: sizeof would count the pointer, not the values. */
#define DB_MUST_BE_ARRAY(a)                                                                        \
	(0 *                                                                                       \
	 (int)sizeof(                                                                              \
	         char[1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0]))]))

/* The length of a values array. */
#define DB_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])) + DB_MUST_BE_ARRAY(array))

/* The values of a statement: the array and its length, as two arguments. */
#define DB_PARAMS(array) (array), DB_COUNT(array)

/* A statement without parameters. */
#define DB_NO_PARAMS NULL, 0

/*
 * The highest $N placeholder in `sql` (0 when there is none). Text inside quotes ('…', "…",
 * $tag$…$tag$) and comments does not count.
 */
int db_sql_param_count(const char *sql);

/*
 * CS_OK when the `given` values are the `wanted` ones (db_sql_param_count of the statement);
 * otherwise logs the mismatch under `name` and returns CS_EINTERNAL (a bug: the call site and the
 * SQL disagree).
 */
int db_params_check(const char *name, int wanted, int given) CS_MUST_CHECK;

/*
 * The index of the one value of `params` that is the pointer `marker` (a slot the caller fills
 * later, such as DB_JSON), or -1 when there is none or more than one.
 */
int db_params_slot(const char *const *params, int nparams, const char *marker);

#endif
