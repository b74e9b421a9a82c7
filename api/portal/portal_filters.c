#include "portal/portal_filters.h"

#include "http/params.h"

void portal_query_date_range(struct portal_date_range *out, struct field_errors *errs,
                             const struct http_ctx *ctx)
{
	http_query_date_range(errs, ctx, &out->from, &out->to);
}

const char *portal_query_location(struct field_errors *errs, const struct http_ctx *ctx)
{
	return http_query_uuid(errs, ctx, "location_id",
	                       "Use the id of one of this account's service locations.");
}
