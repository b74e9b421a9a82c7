#include "portal/portal_filters.h"

#include "core/validate.h"
#include "http/params.h"

void portal_query_date_range(struct portal_date_range *out, struct field_errors *errs,
                             const struct http_ctx *ctx)
{
	http_query_date_range(errs, ctx, &out->from, &out->to);
}

const char *portal_query_location(struct field_errors *errs, const struct http_ctx *ctx)
{
	const char *value = http_query_param(ctx, "location_id");

	if (value && !validate_uuid(value))
		field_errors_add(errs, "location_id", "invalid_parameter",
		                 "Use the id of one of this account's service locations.");
	return value;
}
