#include "http/fields.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "http/body.h"
#include "http/reply.h"

void field_errors_add(struct field_errors *errs, const char *field, const char *code,
                      const char *message)
{
	if (!errs->list)
		errs->list = json_array();
	json_array_append_new(errs->list, json_pack("{s:s, s:s, s:s}", "field", field, "code", code,
	                                            "message", message));
}

bool field_errors_empty(const struct field_errors *errs)
{
	return !errs->list || json_array_size(errs->list) == 0;
}

void field_errors_release(struct field_errors *errs)
{
	json_decref(errs->list);
	errs->list = NULL;
}

static const struct field_spec *find_spec(const struct field_spec *spec, const char *name)
{
	for (; spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING:
		return "a string";
	case FIELD_BOOL:
		return "true or false";
	case FIELD_INTEGER:
		return "an integer";
	case FIELD_NUMBER:
		return "a number";
	case FIELD_OBJECT:
		return "an object";
	case FIELD_ARRAY:
		return "an array";
	}
	return "?";
}

static bool type_matches(enum field_type t, const json_t *v)
{
	switch (t) {
	case FIELD_STRING:
		return json_is_string(v);
	case FIELD_BOOL:
		return json_is_boolean(v);
	case FIELD_INTEGER:
		return json_is_integer(v);
	case FIELD_NUMBER:
		return json_is_number(v);
	case FIELD_OBJECT:
		return json_is_object(v);
	case FIELD_ARRAY:
		return json_is_array(v);
	}
	return false;
}

/* Length in characters, ignoring blanks at both ends when the spec trims. */
static size_t string_length(const struct field_spec *spec, const char *s)
{
	size_t len = strlen(s), n = 0;

	if (spec->flags & FIELD_TRIM)
		s = validate_trim(s, &len);
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static void check_string(struct field_errors *errs, const struct field_spec *spec, const char *path,
                         const char *s)
{
	char message[160];
	size_t len = string_length(spec, s);

	if (len < spec->min_len) {
		snprintf(message, sizeof(message),
		         spec->min_len == 1 ? "Must not be empty."
		                            : "Must be at least %zu characters long.",
		         spec->min_len);
		field_errors_add(errs, path, "too_short", message);
	} else if (spec->max_len && len > spec->max_len) {
		snprintf(message, sizeof(message), "Must be at most %zu characters long.",
		         spec->max_len);
		field_errors_add(errs, path, "too_long", message);
	}
}

/* An item of an array of strings (no `children`): a string that passes `check`. */
static void check_string_item(struct field_errors *errs, const struct field_spec *spec,
                              const char *path, const json_t *item)
{
	const char *code = NULL, *msg = NULL;

	if (!json_is_string(item))
		field_errors_add(errs, path, "wrong_type", "Must be a string.");
	else if (spec->check && !spec->check(item, &code, &msg))
		field_errors_add(errs, path, code, msg);
}

static void check_array(struct field_errors *errs, const struct field_spec *spec, const char *path,
                        const json_t *v)
{
	char message[160], item_path[300];
	size_t n = json_array_size(v), i;
	json_t *item;

	if (n < spec->min_len || (spec->max_len && n > spec->max_len)) {
		if (spec->max_len)
			snprintf(message, sizeof(message), "Must have %zu to %zu items.",
			         spec->min_len, spec->max_len);
		else
			snprintf(message, sizeof(message), "Must have at least %zu items.",
			         spec->min_len);
		field_errors_add(errs, path, n < spec->min_len ? "too_few_items" : "too_many_items",
		                 message);
		return;
	}
	json_array_foreach(v, i, item)
	{
		snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
		if (!spec->children)
			check_string_item(errs, spec, item_path, item);
		else if (!json_is_object(item))
			field_errors_add(errs, item_path, "wrong_type", "Must be an object.");
		else
			fields_validate(errs, item, spec->children, item_path);
	}
}

static void check_value(struct field_errors *errs, const struct field_spec *spec, const char *path,
                        const json_t *v)
{
	char message[160];
	const char *code = NULL, *msg = NULL;

	if (json_is_null(v)) {
		if (!(spec->flags & FIELD_NULLABLE))
			field_errors_add(errs, path,
			                 spec->flags & FIELD_REQUIRED ? "required" : "wrong_type",
			                 spec->flags & FIELD_REQUIRED ? "This field is required."
			                                              : "Must not be null.");
		return;
	}
	if (!type_matches(spec->type, v)) {
		snprintf(message, sizeof(message), "Must be %s.", type_name(spec->type));
		field_errors_add(errs, path, "wrong_type", message);
		return;
	}
	if (spec->type == FIELD_OBJECT) {
		fields_validate(errs, v, spec->children, path);
		return;
	}
	if (spec->type == FIELD_ARRAY) {
		check_array(errs, spec, path, v);
		return;
	}
	if (spec->type == FIELD_STRING)
		check_string(errs, spec, path, json_string_value(v));
	if (spec->type == FIELD_INTEGER && (spec->min || spec->max) &&
	    (json_integer_value(v) < spec->min || json_integer_value(v) > spec->max)) {
		snprintf(message, sizeof(message), "Must be between %ld and %ld.", spec->min,
		         spec->max);
		field_errors_add(errs, path, "out_of_range", message);
		return;
	}
	if (spec->check && !spec->check(v, &code, &msg))
		field_errors_add(errs, path, code, msg);
}

void fields_validate(struct field_errors *errs, const json_t *obj, const struct field_spec *spec,
                     const char *prefix)
{
	const char *key;
	json_t *value;
	char path[256];

	json_object_foreach((json_t *)obj, key, value)
	{
		snprintf(path, sizeof(path), "%s%s%s", prefix ? prefix : "", prefix ? "." : "",
		         key);
		const struct field_spec *s = find_spec(spec, key);
		if (!s)
			field_errors_add(errs, path, "unknown_field",
			                 "This field is not accepted here.");
		else
			check_value(errs, s, path, value);
	}
	for (; spec->name; spec++) {
		if ((spec->flags & FIELD_REQUIRED) && !json_object_get(obj, spec->name)) {
			snprintf(path, sizeof(path), "%s%s%s", prefix ? prefix : "",
			         prefix ? "." : "", spec->name);
			field_errors_add(errs, path, "required", "This field is required.");
		}
	}
}

int http_reply_field_errors(struct http_ctx *ctx, struct field_errors *errs)
{
	const char *shared = NULL;
	size_t i;
	json_t *e;

	json_array_foreach(errs->list, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		if (i == 0)
			shared = code;
		else if (shared && strcmp(shared, code) != 0)
			shared = NULL;
	}
	const char *code = shared ? shared : "validation_failed";
	size_t n = json_array_size(errs->list);
	char detail[256];
	if (n == 1) {
		json_t *only = json_array_get(errs->list, 0);
		snprintf(detail, sizeof(detail), "%s: %s",
		         json_string_value(json_object_get(only, "field")),
		         json_string_value(json_object_get(only, "message")));
	} else {
		snprintf(detail, sizeof(detail), "%zu fields are invalid; see errors.", n);
	}
	json_t *list = errs->list;
	errs->list = NULL;
	return http_reply_problem(ctx, 422, code, detail, list);
}

bool field_check_email(const json_t *v, const char **code, const char **message)
{
	char normalised[VALIDATE_EMAIL_MAX + 1];

	if (validate_email(json_string_value(v), normalised, message))
		return true;
	*code = "invalid_email";
	return false;
}

bool field_check_http_url(const json_t *v, const char **code, const char **message)
{
	if (validate_http_url(json_string_value(v)))
		return true;
	*code = "invalid_format";
	*message = "Must be an absolute http:// or https:// URL of at most 2048 characters.";
	return false;
}

bool field_check_plain_line(const json_t *v, const char **code, const char **message)
{
	if (validate_plain_text(json_string_value(v), false))
		return true;
	*code = "invalid_format";
	*message = "Must not contain control characters or line breaks.";
	return false;
}

bool field_check_plain_text(const json_t *v, const char **code, const char **message)
{
	if (validate_plain_text(json_string_value(v), true))
		return true;
	*code = "invalid_format";
	*message = "Must not contain control characters.";
	return false;
}

bool field_check_uuid(const json_t *v, const char **code, const char **message)
{
	if (validate_uuid(json_string_value(v)))
		return true;
	*code = "invalid_format";
	*message = "Must be a UUID.";
	return false;
}

bool field_check_date(const json_t *v, const char **code, const char **message)
{
	if (validate_date(json_string_value(v)))
		return true;
	*code = "invalid_date";
	*message = "Must be a real date written YYYY-MM-DD.";
	return false;
}

bool field_value_in(const json_t *v, const char *const *allowed, const char **code,
                    const char **message, const char *sentence)
{
	const char *s = json_string_value(v);

	for (; s && *allowed; allowed++)
		if (!strcmp(s, *allowed))
			return true;
	*code = "invalid_value";
	*message = sentence;
	return false;
}

static void normalise_member(json_t *obj, const char *key, const struct field_spec *spec)
{
	json_t *v = json_object_get(obj, key);
	char email[VALIDATE_EMAIL_MAX + 1];
	const char *s = json_string_value(v), *reason = NULL;
	size_t len, i;
	json_t *item;

	if (spec->type == FIELD_OBJECT && json_is_object(v))
		fields_normalise(v, spec->children);
	if (spec->type == FIELD_ARRAY && spec->children && json_is_array(v))
		json_array_foreach(v, i, item) fields_normalise(item, spec->children);
	if (!s)
		return;
	if (spec->check == field_check_email && validate_email(s, email, &reason)) {
		json_object_set_new(obj, key, json_string(email));
	} else if (spec->flags & FIELD_TRIM) {
		s = validate_trim(s, &len);
		json_object_set_new(obj, key, json_stringn(s, len));
	}
}

void fields_normalise(json_t *obj, const struct field_spec *spec)
{
	for (; spec->name; spec++)
		if (json_object_get(obj, spec->name))
			normalise_member(obj, spec->name, spec);
}

bool http_validate_object(struct http_ctx *ctx, const json_t *body, const struct field_spec *spec,
                          bool need_one)
{
	struct field_errors errs = FIELD_ERRORS_INIT;

	fields_validate(&errs, body, spec, NULL);
	if (need_one && json_object_size(body) == 0)
		field_errors_add(&errs, "body", "required", "Send at least one field to change.");
	if (field_errors_empty(&errs))
		return true;
	http_reply_field_errors(ctx, &errs);
	return false;
}

bool http_validated_body(json_t **body, struct http_ctx *ctx, const struct field_spec *spec,
                         bool need_one)
{
	if (http_json_body(body, ctx) != CS_OK)
		return false;
	if (http_validate_object(ctx, *body, spec, need_one)) {
		fields_normalise(*body, spec);
		return true;
	}
	json_decref(*body);
	*body = NULL;
	return false;
}
