/*
 * Recurring services of a customer: what is picked up at one of its locations, how often, on which
 * day and at what rate. Every function is scoped by the caller's tenant: another tenant's customer
 * or service is simply not found.
 */
#ifndef CURBSIDE_SERVICES_SERVICE_H
#define CURBSIDE_SERVICES_SERVICE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/params.h"

/* One page of a customer's services, oldest first; *out (caller frees) is {items, next_cursor}.
 * CS_ENOTFOUND when the tenant has no such customer. */
int services_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const struct list_params *page) CS_MUST_CHECK;

/* One service; *out (caller frees) is its JSON. */
int services_get(char **out, struct db_pool *db, const char *tenant_id,
                 const char *service_id) CS_MUST_CHECK;

/*
 * Create a service of a customer from a validated body; *out (caller frees) is it as stored.
 * A location_id that is not one of the customer's locations is CS_EINVALID (invalid_reference).
 */
int services_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                    const json_t *body) CS_MUST_CHECK;

/* Apply a validated merge patch; *out (caller frees) is the service as stored. */
int services_update(char **out, struct db_pool *db, const char *tenant_id, const char *service_id,
                    const json_t *patch) CS_MUST_CHECK;

#endif
