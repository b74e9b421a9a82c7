/* JSON written from a result's text columns: every kind of column, nested objects, pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/cursor.h"
#include "db/json_rows.h"

#define NCOLS 7
#define ID1   "3daa9a9b-3814-477a-ad1c-cbd220d14a61"
#define ID2   "3daa9a9b-3814-477a-ad1c-cbd220d14a62"
#define ID3   "3daa9a9b-3814-477a-ad1c-cbd220d14a63"

/* A result as libpq would give it: NCOLS text columns, `rows` rows of `cells` (NULL is SQL NULL).
 */
static PGresult *result_of(int rows, const char *const cells[][NCOLS])
{
	static const char *const names[NCOLS] = {"id",   "name", "routing", "cents",
	                                         "l_id", "addr", "sort"};
	PGresAttDesc attrs[NCOLS];
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	memset(attrs, 0, sizeof(attrs));
	for (int c = 0; c < NCOLS; c++)
		attrs[c].name = (char *)names[c];
	assert_true(PQsetResultAttrs(res, NCOLS, attrs));
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < NCOLS; c++) {
			const char *v = cells[r][c];
			assert_true(PQsetvalue(res, r, c, (char *)v, v ? (int)strlen(v) : -1));
		}
	return res;
}

static const struct json_column columns[] = {
        {"id", COL_STRING},    {"name", COL_STRING},     {"routing", COL_BOOL},
        {"cents", COL_NUMBER}, {"location", COL_OBJECT}, {"id", COL_STRING},
        {"address", COL_RAW},  {NULL, COL_END},          {"sort", COL_HIDDEN},
};
static const struct json_shape shape = JSON_SHAPE(columns);
static const struct json_page_keys keys = {.key_column = 6, .id_column = 0};

static const char *const rows[][NCOLS] = {
        {ID1, "Oak \"Bins\"\n", "t", "-1250", "l1", "{\"city\": \"Chicago\"}", "k1"},
        {ID2, NULL, "f", "0", NULL, NULL, "k2"},
        {ID3, "Müller", "t", "9007199254740993", "l3", NULL, "O'Brien \"Co\""},
};

static void columns_become_json_values_in_the_shapes_order(void **state)
{
	PGresult *res = result_of(3, rows);
	struct strbuf b = STRBUF_INIT;

	(void)state;
	assert_true(json_shape_fits(&shape, res));
	json_rows_object(&b, res, 0, &shape);
	json_rows_object(&b, res, 1, &shape);
	json_rows_object(&b, res, 2, &shape);
	assert_string_equal(b.data,
	                    "{\"id\":\"" ID1
	                    "\",\"name\":\"Oak \\\"Bins\\\"\\n\",\"routing\":true,\"cents\":-1250,"
	                    "\"location\":{\"id\":\"l1\",\"address\":{\"city\": \"Chicago\"}}}"
	                    "{\"id\":\"" ID2
	                    "\",\"name\":null,\"routing\":false,\"cents\":0,\"location\":null}"
	                    "{\"id\":\"" ID3
	                    "\",\"name\":\"Müller\",\"routing\":true,\"cents\":9007199254740993,"
	                    "\"location\":{\"id\":\"l3\",\"address\":null}}");
	strbuf_release(&b);
	PQclear(res);
}

/* The page parses as JSON; with the extra row read, the cursor is the last item's. */
static void a_full_page_carries_the_cursor_of_its_last_item(void **state)
{
	PGresult *res = result_of(3, rows);
	struct cursor c;
	char *text = NULL;

	(void)state;
	assert_int_equal(json_rows_page(&text, res, &shape, 2, keys), CS_OK);
	json_t *page = json_loads(text, 0, NULL);
	assert_non_null(page);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
	assert_int_equal(cursor_decode(&c, json_string_value(json_object_get(page, "next_cursor"))),
	                 CS_OK);
	assert_string_equal(c.key, "k2");
	assert_string_equal(c.id, ID2);
	json_decref(page);
	free(text);
	PQclear(res);
}

static void a_short_page_has_no_cursor_and_an_empty_one_no_items(void **state)
{
	PGresult *res = result_of(3, rows), *none = result_of(0, rows);
	char *text = NULL;

	(void)state;
	assert_int_equal(json_rows_page(&text, res, &shape, 3, keys), CS_OK);
	json_t *page = json_loads(text, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 3);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	json_decref(page);
	free(text);
	assert_int_equal(json_rows_page(&text, none, &shape, 25, keys), CS_OK);
	assert_string_equal(text, "{\"items\":[],\"next_cursor\":null}");
	free(text);
	PQclear(res);
	PQclear(none);
}

/* A statement edited without its shape is a bug the first request finds, not wrong JSON. */
static void a_shape_that_does_not_fit_the_result_is_refused(void **state)
{
	static const struct json_column fewer[] = {{"id", COL_STRING}, {"name", COL_STRING}};
	static const struct json_shape short_shape = JSON_SHAPE(fewer);
	PGresult *res = result_of(1, rows);
	char *text = NULL;

	(void)state;
	assert_false(json_shape_fits(&short_shape, res));
	assert_int_equal(json_rows_page(&text, res, &short_shape, 25, keys), CS_EINTERNAL);
	assert_null(text);
	PQclear(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(columns_become_json_values_in_the_shapes_order),
	        cmocka_unit_test(a_full_page_carries_the_cursor_of_its_last_item),
	        cmocka_unit_test(a_short_page_has_no_cursor_and_an_empty_one_no_items),
	        cmocka_unit_test(a_shape_that_does_not_fit_the_result_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
