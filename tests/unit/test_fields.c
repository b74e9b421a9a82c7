/* Declarative body validation: every problem of a body is reported at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/fields.h"

static const struct field_spec contact[] = {
        {"email", FIELD_STRING, FIELD_NULLABLE, 0, 0, 0, 0, field_check_email, NULL},
        {NULL, FIELD_STRING, 0, 0, 0, 0, 0, NULL, NULL},
};

static const struct field_spec spec[] = {
        {"name", FIELD_STRING, FIELD_REQUIRED | FIELD_TRIM, 1, 5, 0, 0, NULL, NULL},
        {"count", FIELD_INTEGER, 0, 0, 0, 1, 10, NULL, NULL},
        {"enabled", FIELD_BOOL, 0, 0, 0, 0, 0, NULL, NULL},
        {"contact", FIELD_OBJECT, FIELD_NULLABLE, 0, 0, 0, 0, NULL, contact},
        {"ids", FIELD_ARRAY, 0, 1, 3, 0, 0, field_check_uuid, NULL},
        {NULL, FIELD_STRING, 0, 0, 0, 0, 0, NULL, NULL},
};

static json_t *errors_of(const char *body)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	json_t *obj = json_loads(body, 0, NULL);

	fields_validate(&errs, obj, spec, NULL);
	json_decref(obj);
	return errs.list ? errs.list : json_array();
}

static const char *code_of(json_t *errors, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach(errors, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "field")), field))
			return json_string_value(json_object_get(e, "code"));
	}
	return NULL;
}

static void valid_body_has_no_errors(void **state)
{
	(void)state;
	json_t *e = errors_of("{\"name\":\"  abc  \",\"count\":3,\"enabled\":true,"
	                      "\"contact\":{\"email\":\"a@example.com\"}}");

	assert_int_equal(json_array_size(e), 0);
	json_decref(e);
}

static void every_bad_field_is_listed(void **state)
{
	(void)state;
	json_t *e = errors_of("{\"count\":\"3\",\"enabled\":1,\"extra\":true,"
	                      "\"contact\":{\"email\":\"a b@example.com\",\"fax\":\"1\"}}");

	assert_int_equal(json_array_size(e), 6);
	assert_string_equal(code_of(e, "name"), "required");
	assert_string_equal(code_of(e, "count"), "wrong_type");
	assert_string_equal(code_of(e, "enabled"), "wrong_type");
	assert_string_equal(code_of(e, "extra"), "unknown_field");
	assert_string_equal(code_of(e, "contact.email"), "invalid_email");
	assert_string_equal(code_of(e, "contact.fax"), "unknown_field");
	json_decref(e);
}

static void lengths_ranges_and_nulls(void **state)
{
	(void)state;
	json_t *e = errors_of("{\"name\":\"   \",\"count\":11,\"enabled\":null,\"contact\":null}");

	assert_string_equal(code_of(e, "name"), "too_short");
	assert_string_equal(code_of(e, "count"), "out_of_range");
	assert_string_equal(code_of(e, "enabled"), "wrong_type");
	assert_null(code_of(e, "contact"));
	json_decref(e);
	e = errors_of("{\"name\":\"abcdef\"}");
	assert_string_equal(code_of(e, "name"), "too_long");
	json_decref(e);
	e = errors_of("{\"name\":null}");
	assert_string_equal(code_of(e, "name"), "required");
	json_decref(e);
}

/* An array without children is an array of strings, each judged by the spec's check. */
static void arrays_of_strings(void **state)
{
	(void)state;
	json_t *e =
	        errors_of("{\"name\":\"a\",\"ids\":[\"5c1e9a7b-2d4f-4b6a-8e3c-1f7a9b2d4e6c\"]}");
	assert_int_equal(json_array_size(e), 0);
	json_decref(e);
	e = errors_of(
	        "{\"name\":\"a\",\"ids\":[\"5c1e9a7b-2d4f-4b6a-8e3c-1f7a9b2d4e6c\",7,\"x\"]}");
	assert_int_equal(json_array_size(e), 2);
	assert_string_equal(code_of(e, "ids[1]"), "wrong_type");
	assert_string_equal(code_of(e, "ids[2]"), "invalid_format");
	json_decref(e);
	e = errors_of("{\"name\":\"a\",\"ids\":[]}");
	assert_string_equal(code_of(e, "ids"), "too_few_items");
	json_decref(e);
}

static void normalised_in_place(void **state)
{
	(void)state;
	json_t *obj = json_pack("{s:s, s:{s:s}}", "name", "  Jane Doe \n", "contact", "email",
	                        " Jane@Example.COM ");

	fields_normalise(obj, spec);
	assert_string_equal(json_string_value(json_object_get(obj, "name")), "Jane Doe");
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(obj, "contact"), "email")),
	        "jane@example.com");
	assert_null(json_object_get(obj, "missing"));
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(valid_body_has_no_errors),
	        cmocka_unit_test(every_bad_field_is_listed),
	        cmocka_unit_test(lengths_ranges_and_nulls),
	        cmocka_unit_test(arrays_of_strings),
	        cmocka_unit_test(normalised_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
