/*
 * Customer accounts of a tenant, as hauler staff and integrators keep them. Every function is
 * scoped by the caller's tenant: another tenant's customer is simply not found.
 */
#ifndef CURBSIDE_CUSTOMERS_SERVICE_H
#define CURBSIDE_CUSTOMERS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/pool.h"
#include "http/params.h"

/* Filters of the staff customer list. */
struct customer_filter {
	const char *search; /* substring of name, account number or contact email; NULL for all */
	const char *kind;   /* NULL for every kind */
};

/* One page of customers by name; *out (caller frees) is {items, next_cursor}. */
int customers_list(char **out, struct db_pool *db, const char *tenant_id,
                   const struct customer_filter *filter,
                   const struct list_params *page) CS_MUST_CHECK;

/*
 * Create a customer from a validated body; with an external_id that already exists, update that
 * customer instead (*created false). *out is the customer as stored.
 */
int customers_upsert(char **out, bool *created, struct db_pool *db, const char *tenant_id,
                     const json_t *body) CS_MUST_CHECK;

/* Apply a validated patch. */
int customers_update(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                     const json_t *patch) CS_MUST_CHECK;

#endif
