/*
 * Orders of a customer: one-off jobs (a dumpster drop, a live load, a minis pickup) with their
 * service date, status and amount. Every function is scoped by the caller's tenant: another
 * tenant's customer or order is simply not found.
 */
#ifndef CURBSIDE_ORDERS_SERVICE_H
#define CURBSIDE_ORDERS_SERVICE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/params.h"

/* Filters of the staff order list (NULL for any). */
struct order_filter {
	const char *status;
	const char *type;
};

/*
 * One page of a customer's orders, newest service date first; *out (caller frees) is {items,
 * next_cursor}. CS_ENOTFOUND when the tenant has no such customer.
 */
int orders_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                const struct order_filter *filter, const struct list_params *page) CS_MUST_CHECK;

/* One order; *out (caller frees) is its JSON. */
int orders_get(char **out, struct db_pool *db, const char *tenant_id,
               const char *order_id) CS_MUST_CHECK;

/*
 * Create an order of a customer from a validated body; *out (caller frees) is it as stored.
 * CS_ECONFLICT (order_number_taken) for a number the tenant already used; CS_EINVALID
 * (invalid_reference) for a location_id that is not one of the customer's.
 */
int orders_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const json_t *body) CS_MUST_CHECK;

/* Apply a validated merge patch; *out (caller frees) is the order as stored. */
int orders_update(char **out, struct db_pool *db, const char *tenant_id, const char *order_id,
                  const json_t *patch) CS_MUST_CHECK;

#endif
