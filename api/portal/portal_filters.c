#include "portal/portal_filters.h"

#include <string.h>

#include "core/validate.h"
#include "http/params.h"

void portal_query_date_range(struct portal_date_range *out, struct field_errors *errs,
                             const struct http_ctx *ctx)
{
	out->from = http_query_date(errs, ctx, "from");
	out->to = http_query_date(errs, ctx, "to");
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
