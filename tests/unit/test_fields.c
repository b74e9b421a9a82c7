/* Declarative body validation: every problem of a body is reported at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/fields.h"

static const struct field_spec contact[] = {
        FIELD_EMAIL("email", FIELD_NULLABLE),
        FIELDS_END,
};

static const struct field_spec spec[] = {
        FIELD_TEXT_CHECKED("name", FIELD_REQUIRED, 1, 5, NULL),
        /* No constructor for a plain integer range: the server only takes cents. */
        {.name = "count", .type = FIELD_INTEGER, .min = 1, .max = 10},
        FIELD_BOOLEAN("enabled", 0),
        FIELD_OBJECT_OF("contact", FIELD_NULLABLE, contact),
        FIELD_STRINGS("ids", 0, 1, 3, field_check_uuid),
        FIELDS_END,
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

/* The constructors fill the members the validator reads, and leave every other one zero. */
static void constructors_fill_their_members(void **state)
{
	static const struct field_spec text = FIELD_TEXT("t", FIELD_NULLABLE, 1, 40);
	static const struct field_spec cents = FIELD_CENTS("c", FIELD_REQUIRED, 1);
	static const struct field_spec uuid = FIELD_UUID("u", 0);
	static const struct field_spec end = FIELDS_END;

	(void)state;
	assert_int_equal(text.type, FIELD_STRING);
	assert_int_equal(text.flags, FIELD_NULLABLE | FIELD_TRIM);
	assert_int_equal(text.min_len, 1);
	assert_int_equal(text.max_len, 40);
	assert_ptr_equal(text.check, field_check_plain_line);
	assert_int_equal(cents.type, FIELD_INTEGER);
	assert_int_equal(cents.min, 1);
	assert_int_equal(cents.max, FIELD_CENTS_MAX);
	assert_null(cents.check);
	assert_int_equal(uuid.flags, 0);
	assert_int_equal(uuid.max_len, 0);
	assert_ptr_equal(uuid.check, field_check_uuid);
	assert_null(uuid.children);
	assert_null(end.name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(valid_body_has_no_errors),
	        cmocka_unit_test(every_bad_field_is_listed),
	        cmocka_unit_test(lengths_ranges_and_nulls),
	        cmocka_unit_test(arrays_of_strings),
	        cmocka_unit_test(normalised_in_place),
	        cmocka_unit_test(constructors_fill_their_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
