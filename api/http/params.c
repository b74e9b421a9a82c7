#include "http/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "http/middleware.h"

const char *http_path_id(const struct http_ctx *ctx, const char *name, const char *what)
{
	const char *id = http_path_param(ctx, name);

	if (validate_uuid(id))
		return id;
	cs_error_set(CS_ENOTFOUND, "not_found", "There is no %s with this id.", what);
	return NULL;
}

const char *http_query_param(const struct http_ctx *ctx, const char *name)
{
	return u_map_get(ctx->req->map_url, name);
}

static bool is_listed(const char *name, const char *const *names)
{
	for (; names && *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

const char *http_query_enum(struct field_errors *errs, const struct http_ctx *ctx, const char *name,
                            const char *const *allowed, const char *sentence)
{
	const char *value = http_query_param(ctx, name);

	if (value && !is_listed(value, allowed))
		field_errors_add(errs, name, "invalid_parameter", sentence);
	return value;
}

const char *http_query_uuid(struct field_errors *errs, const struct http_ctx *ctx, const char *name,
                            const char *sentence)
{
	const char *value = http_query_param(ctx, name);

	if (value && !validate_uuid(value))
		field_errors_add(errs, name, "invalid_parameter", sentence);
	return value;
}

const char *http_query_enum_list(struct field_errors *errs, const struct http_ctx *ctx,
                                 const char *name, const char *const *allowed, const char *sentence)
{
	const char *value = http_query_param(ctx, name);

	for (const char *p = value; p;) {
		size_t n = strcspn(p, ",");
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strlen(allowed[i]) == n && !strncmp(p, allowed[i], n);
		if (!known) {
			field_errors_add(errs, name, "invalid_parameter", sentence);
			return value;
		}
		p = p[n] ? p + n + 1 : NULL;
	}
	return value;
}

/* Date parameter `name`: absent (NULL) or a real date; otherwise NULL and an error. */
static const char *query_date(struct field_errors *errs, const struct http_ctx *ctx,
                              const char *name)
{
	const char *value = http_query_param(ctx, name);

	if (!value || validate_date(value))
		return value;
	field_errors_add(errs, name, "invalid_parameter", "Use a real date written YYYY-MM-DD.");
	return NULL;
}

void http_query_date_range(struct field_errors *errs, const struct http_ctx *ctx, const char **from,
                           const char **to)
{
	*from = query_date(errs, ctx, "from");
	*to = query_date(errs, ctx, "to");
	/* YYYY-MM-DD compares as text in calendar order. */
	if (*from && *to && strcmp(*from, *to) > 0)
		field_errors_add(errs, "to", "invalid_parameter",
		                 "Must be on or after the from date.");
}

static void check_limit(struct list_params *out, struct field_errors *errs, const char *given)
{
	char *end = NULL;
	long limit = LIST_LIMIT_DEFAULT;

	if (given) {
		limit = strtol(given, &end, 10);
		if (!*given || *end || limit < 1 || limit > LIST_LIMIT_MAX) {
			field_errors_add(errs, "limit", "invalid_parameter",
			                 "Must be a whole number from 1 to 100.");
			limit = LIST_LIMIT_DEFAULT;
		}
	}
	snprintf(out->limit, sizeof(out->limit), "%ld", limit);
	out->size = (int)limit;
}

static bool cursor_key_valid(enum cursor_key kind, const char *key)
{
	switch (kind) {
	case CURSOR_KEY_DATE:
		return validate_date(key);
	case CURSOR_KEY_INSTANT:
		return validate_instant_us(key);
	case CURSOR_KEY_TEXT:
		break;
	}
	return true;
}

void http_list_params(struct list_params *out, struct field_errors *errs,
                      const struct http_ctx *ctx, enum cursor_key key, const char *const *filters)
{
	const char *const paging[] = {"limit", "cursor", NULL};
	const char **keys = u_map_enum_keys(ctx->req->map_url);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; keys && keys[i]; i++) {
		if (!is_listed(keys[i], paging) && !is_listed(keys[i], filters))
			field_errors_add(errs, keys[i], "unknown_parameter",
			                 "This query parameter is not accepted here.");
	}
	check_limit(out, errs, http_query_param(ctx, "limit"));
	const char *cursor = http_query_param(ctx, "cursor");
	if (cursor) {
		out->has_cursor = cursor_decode(&out->after, cursor) == CS_OK &&
		                  cursor_key_valid(key, out->after.key);
		if (!out->has_cursor)
			field_errors_add(errs, "cursor", "invalid_cursor",
			                 "Use the next_cursor of a previous page, unchanged.");
	}
}

void http_list_after(const struct list_params *p, const char **key, const char **id,
                     const char *first_key, const char *first_id)
{
	*key = p->has_cursor ? p->after.key : first_key;
	*id = p->has_cursor ? p->after.id : first_id;
}
