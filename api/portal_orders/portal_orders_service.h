/*
 * The selected account's orders in the portal (API.md rule 14): dumpster, live-load and minis
 * jobs with their service date, status, location and amount. Every statement is scoped by the
 * tenant AND the account of the caller's session: another account's order is not found.
 */
#ifndef CURBSIDE_PORTAL_ORDERS_SERVICE_H
#define CURBSIDE_PORTAL_ORDERS_SERVICE_H

#include "db/pool.h"
#include "http/auth.h"
#include "http/params.h"
#include "portal/portal_filters.h"

/* Filters of the portal order list (NULL for any), already checked for shape. */
struct portal_order_filter {
	const char *status;
	struct portal_date_range service_date;
	const char *location_id;
};

/*
 * One page of the account's orders, newest service date first; *out (caller frees) is {items,
 * next_cursor}. CS_EINVALID (invalid_parameter on location_id) when the location is not one of
 * the account's.
 */
int portal_orders_list(char **out, struct db_pool *db, const struct principal *who,
                       const struct portal_order_filter *filter,
                       const struct list_params *page) CS_MUST_CHECK;

/* One order of the account; *out (caller frees) is its JSON. CS_ENOTFOUND otherwise. */
int portal_orders_get(char **out, struct db_pool *db, const struct principal *who,
                      const char *order_id) CS_MUST_CHECK;

#endif
