#include "portal/portal_filters.h"

#include <string.h>

#include "core/validate.h"
#include "http/params.h"

/* The value of date parameter `name`, or NULL after recording why it is not one. */
static const char *query_date(struct field_errors *errs, const struct http_ctx *ctx,
                              const char *name)
{
	const char *value = http_query_param(ctx, name);

	if (!value || validate_date(value))
		return value;
	field_errors_add(errs, name, "invalid_parameter", "Use a real date written YYYY-MM-DD.");
	return NULL;
}

void portal_query_date_range(struct portal_date_range *out, struct field_errors *errs,
                             const struct http_ctx *ctx)
{
	out->from = query_date(errs, ctx, "from");
	out->to = query_date(errs, ctx, "to");
	/* YYYY-MM-DD compares as text in calendar order. */
	if (out->from && out->to && strcmp(out->from, out->to) > 0)
		field_errors_add(errs, "to", "invalid_parameter",
		                 "Must be on or after the from date.");
}

const char *portal_query_location(struct field_errors *errs, const struct http_ctx *ctx)
{
	const char *value = http_query_param(ctx, "location_id");

	if (value && !validate_uuid(value))
		field_errors_add(errs, "location_id", "invalid_parameter",
		                 "Use the id of one of this account's service locations.");
	return value;
}
