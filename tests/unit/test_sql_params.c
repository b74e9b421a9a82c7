/* Statement parameters: the highest $N of the SQL against the length of the values array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "db/sql_params.h"

static void placeholders_are_counted(void **state)
{
	(void)state;
	assert_int_equal(db_sql_param_count("SELECT 1"), 0);
	assert_int_equal(db_sql_param_count("SELECT f($1, $2::jsonb)"), 2);
	assert_int_equal(db_sql_param_count("SELECT $2, $1"), 2);
	assert_int_equal(db_sql_param_count("SELECT $1 WHERE x = $12 LIMIT $3::int + 1"), 12);
	assert_int_equal(db_sql_param_count("SELECT g($1)\nFROM t WHERE a=$2"), 2);
}

static void quotes_and_comments_hide_dollars(void **state)
{
	(void)state;
	assert_int_equal(db_sql_param_count("SELECT '$3', $1"), 1);
	assert_int_equal(db_sql_param_count("SELECT 'it''s $4', $1"), 1);
	assert_int_equal(db_sql_param_count("SELECT E'\\' $5', $1"), 1);
	assert_int_equal(db_sql_param_count("SELECT \"a$6\", $1"), 1);
	assert_int_equal(db_sql_param_count("SELECT $1 -- not $7\n"), 1);
	assert_int_equal(db_sql_param_count("SELECT /* $8 /* $9 */ $10 */ $2"), 2);
	assert_int_equal(db_sql_param_count("SELECT $$ $11 $$, $1"), 1);
	assert_int_equal(db_sql_param_count("SELECT $q$ $12 $ $q$, $2"), 2);
	assert_int_equal(db_sql_param_count("SELECT a$1 FROM t"), 0);
}

/* What DB_PARAMS passes on, checked as the pool checks it. */
static int run(const char *sql, const char *const *params, int nparams)
{
	(void)params;
	return db_params_check("test_statement", db_sql_param_count(sql), nparams);
}

static void a_mismatch_is_caught(void **state)
{
	const char *two[] = {"a", "b"};
	const char *three[] = {"a", "b", NULL};

	(void)state;
	assert_int_equal(run("SELECT f($1, $2)", DB_PARAMS(two)), CS_OK);
	assert_int_equal(run("SELECT f($1, $2)", DB_PARAMS(three)), CS_EINTERNAL);
	assert_int_equal(run("SELECT f($1, $2, $3)", DB_PARAMS(two)), CS_EINTERNAL);
	assert_int_equal(run("SELECT now()", DB_NO_PARAMS), CS_OK);
	assert_int_equal(run("SELECT f($1)", DB_NO_PARAMS), CS_EINTERNAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(placeholders_are_counted),
	        cmocka_unit_test(quotes_and_comments_hide_dollars),
	        cmocka_unit_test(a_mismatch_is_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
