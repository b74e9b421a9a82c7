/*
 * Declarative validation of JSON request objects. A handler describes its body as a table of
 * `struct field_spec`; fields_validate walks the object once and collects EVERY problem (unknown
 * fields, missing ones, wrong types, lengths, formats) so the client sees them all in one 422.
 */
#ifndef CURBSIDE_HTTP_FIELDS_H
#define CURBSIDE_HTTP_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/route.h"

enum field_type {
	FIELD_STRING,
	FIELD_BOOL,
	FIELD_INTEGER,
	FIELD_NUMBER, /* any JSON number; `check` judges it */
	FIELD_OBJECT,
	FIELD_ARRAY, /* an array of objects described by `children` (without children: of strings
	                judged by `check`); min_len..max_len items */
};

enum field_flags {
	FIELD_REQUIRED = 1 << 0,
	FIELD_NULLABLE = 1 << 1, /* JSON null is accepted (it clears the value) */
	FIELD_TRIM = 1 << 2,     /* length limits apply after trimming blanks at both ends */
};

/*
 * A format check on a value already of the right type. Returns true when acceptable; otherwise
 * sets `*code` (e.g. "invalid_format") and `*message`.
 */
typedef bool (*field_check_fn)(const json_t *value, const char **code, const char **message);

struct field_spec {
	const char *name; /* NULL ends a table */
	enum field_type type;
	unsigned flags;
	size_t min_len, max_len; /* characters of a string, items of an array; max 0 = unbounded */
	long min, max;           /* integers only (both 0 = unbounded) */
	field_check_fn check;
	const struct field_spec *children; /* FIELD_OBJECT, and each item of a FIELD_ARRAY */
};

/* A growing list of field errors (a JSON array of {field, code, message}). */
struct field_errors {
	json_t *list;
};

#define FIELD_ERRORS_INIT                                                                          \
	{                                                                                          \
		NULL                                                                               \
	}

/* Record one error. `field` is a dotted path ("contact.email"). */
void field_errors_add(struct field_errors *errs, const char *field, const char *code,
                      const char *message);

/* True when nothing was recorded. */
bool field_errors_empty(const struct field_errors *errs);

/* Free the list (after a reply took it, or when abandoning). */
void field_errors_release(struct field_errors *errs);

/* Check `obj` against `spec`, adding errors for every problem under the path `prefix` (NULL at
 * top). */
void fields_validate(struct field_errors *errs, const json_t *obj, const struct field_spec *spec,
                     const char *prefix);

/*
 * Reply 422 with the collected errors (taken over). The top-level code is the field code when all
 * errors share one (e.g. "unknown_field", "invalid_email"), else "validation_failed".
 */
int http_reply_field_errors(struct http_ctx *ctx, struct field_errors *errs);

/* Validate a parsed body; replies 422 and returns false when it is bad. */
bool http_validate_object(struct http_ctx *ctx, const json_t *body, const struct field_spec *spec,
                          bool need_one);

/*
 * Bring a validated object to its stored form, in place: strings of FIELD_TRIM fields trimmed,
 * emails (field_check_email) trimmed and lower-cased; nested objects and arrays too.
 */
void fields_normalise(json_t *obj, const struct field_spec *spec);

/*
 * Parse the body and validate it against `spec` (with `need_one`, an empty object is refused too).
 * On any problem replies it (400/415/422) and returns false with *body NULL; otherwise the caller
 * owns *body, normalised (fields_normalise).
 */
bool http_validated_body(json_t **body, struct http_ctx *ctx, const struct field_spec *spec,
                         bool need_one);

/* Common checks. */
bool field_check_email(const json_t *v, const char **code, const char **message);
bool field_check_http_url(const json_t *v, const char **code, const char **message);
bool field_check_plain_line(const json_t *v, const char **code, const char **message);
bool field_check_plain_text(const json_t *v, const char **code, const char **message);
bool field_check_uuid(const json_t *v, const char **code, const char **message);
bool field_check_date(const json_t *v, const char **code, const char **message);

/*
 * For enum checks: true when `v` is one of `allowed` (NULL-terminated); otherwise code
 * "invalid_value" and `sentence` (a string literal such as "Must be weekly or monthly.").
 */
bool field_value_in(const json_t *v, const char *const *allowed, const char **code,
                    const char **message, const char *sentence);

/* The largest amount of money a request may carry, in cents (the OpenAPI Cents maximum). */
#define FIELD_CENTS_MAX 99999999999L

/*
 * Named constructors for the rows of a spec table: every row of every table is one of these, so a
 * row says what kind of value it takes instead of a line of positional zeros. `flags` is
 * FIELD_REQUIRED, FIELD_NULLABLE or 0.
 */

/* A string kept exactly as sent (no trimming): min..max characters (max 0: unbounded), judged by
 * `check` (NULL: any). */
#define FIELD_VERBATIM(name_, flags_, min, max, check_)                                            \
	{                                                                                          \
		.name = (name_), .type = FIELD_STRING, .flags = (flags_), .min_len = (min),        \
		.max_len = (max), .check = (check_)                                                \
	}

/* A secret or token (passwords, link tokens, OAuth codes): only its length is judged, and it is
 * never trimmed. */
#define FIELD_OPAQUE(name, flags, min, max) FIELD_VERBATIM(name, flags, min, max, NULL)

/* A string of a fixed format, judged by `check` alone. */
#define FIELD_FORMAT(name, flags, check) FIELD_VERBATIM(name, flags, 0, 0, check)

/* The common formats. */
#define FIELD_UUID(name, flags)  FIELD_FORMAT(name, flags, field_check_uuid)
#define FIELD_EMAIL(name, flags) FIELD_FORMAT(name, flags, field_check_email)
#define FIELD_DATE(name, flags)  FIELD_FORMAT(name, flags, field_check_date)
#define FIELD_URL(name, flags)   FIELD_FORMAT(name, flags, field_check_http_url)

/* A string trimmed of blanks at both ends: min..max characters once trimmed, judged by `check`. */
#define FIELD_TEXT_CHECKED(name, flags, min, max, check)                                           \
	FIELD_VERBATIM(name, (flags) | FIELD_TRIM, min, max, check)

/* The same for a single line of text (the common case). */
#define FIELD_TEXT(name, flags, min, max)                                                          \
	FIELD_TEXT_CHECKED(name, flags, min, max, field_check_plain_line)

/* true or false. */
#define FIELD_BOOLEAN(name_, flags_)                                                               \
	{                                                                                          \
		.name = (name_), .type = FIELD_BOOL, .flags = (flags_)                             \
	}

/* An amount of money in cents, from `min_` to FIELD_CENTS_MAX. */
#define FIELD_CENTS(name_, flags_, min_)                                                           \
	{                                                                                          \
		.name = (name_), .type = FIELD_INTEGER, .flags = (flags_), .min = (min_),          \
		.max = FIELD_CENTS_MAX                                                             \
	}

/* Any JSON number, judged by `check`. */
#define FIELD_NUMERIC(name_, flags_, check_)                                                       \
	{                                                                                          \
		.name = (name_), .type = FIELD_NUMBER, .flags = (flags_), .check = (check_)        \
	}

/* A nested object whose members are described by `children`. */
#define FIELD_OBJECT_OF(name_, flags_, children_)                                                  \
	{                                                                                          \
		.name = (name_), .type = FIELD_OBJECT, .flags = (flags_), .children = (children_)  \
	}

/* An array of min..max objects, each described by `children`. */
#define FIELD_ARRAY_OF(name_, flags_, min, max, children_)                                         \
	{                                                                                          \
		.name = (name_), .type = FIELD_ARRAY, .flags = (flags_), .min_len = (min),         \
		.max_len = (max), .children = (children_)                                          \
	}

/* An array of min..max strings, each judged by `check`. */
#define FIELD_STRINGS(name_, flags_, min, max, check_)                                             \
	{                                                                                          \
		.name = (name_), .type = FIELD_ARRAY, .flags = (flags_), .min_len = (min),         \
		.max_len = (max), .check = (check_)                                                \
	}

/* The end of a spec table. */
#define FIELDS_END                                                                                 \
	{                                                                                          \
		.name = NULL                                                                       \
	}

#endif
