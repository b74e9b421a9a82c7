/*
 * Query filters the portal's lists share: a service-date or document-date range (`from`, `to`)
 * and a service location (`location_id`). They check the shape here; whether a location belongs
 * to the selected account is the list statement's call (portal_location_filter() in SQL answers
 * 422 on location_id, the same for an unknown id and another account's).
 */
#ifndef CURBSIDE_PORTAL_FILTERS_H
#define CURBSIDE_PORTAL_FILTERS_H

#include "http/fields.h"
#include "http/route.h"

/* An inclusive date range; NULL ends are open. The strings point into the request. */
struct portal_date_range {
	const char *from;
	const char *to;
};

/*
 * Read `from` and `to`: each absent or a real date YYYY-MM-DD, and from ≤ to when both are given;
 * every problem goes to `errs` as invalid_parameter naming the parameter.
 */
void portal_query_date_range(struct portal_date_range *out, struct field_errors *errs,
                             const struct http_ctx *ctx);

/* The `location_id` query parameter: NULL when absent, else it must be a UUID (invalid_parameter
 * in `errs` otherwise). */
const char *portal_query_location(struct field_errors *errs, const struct http_ctx *ctx);

#endif
