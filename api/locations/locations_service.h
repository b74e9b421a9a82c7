/*
 * Service locations of a customer: the addresses a hauler serves. Every function is scoped by the
 * caller's tenant: another tenant's customer or location is simply not found.
 */
#ifndef CURBSIDE_LOCATIONS_SERVICE_H
#define CURBSIDE_LOCATIONS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/pool.h"
#include "http/params.h"

/* One page of a customer's locations, oldest first; *out (caller frees) is {items, next_cursor}.
 * CS_ENOTFOUND when the tenant has no such customer. */
int locations_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                   const struct list_params *page) CS_MUST_CHECK;

/* One location; *out (caller frees) is its JSON. */
int locations_get(char **out, struct db_pool *db, const char *tenant_id,
                  const char *location_id) CS_MUST_CHECK;

/* Create a location of a customer from a validated body; *out (caller frees) is it as stored. */
int locations_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                     const json_t *body) CS_MUST_CHECK;

/* Apply a validated merge patch; *out (caller frees) is the location as stored. */
int locations_update(char **out, struct db_pool *db, const char *tenant_id, const char *location_id,
                     const json_t *patch) CS_MUST_CHECK;

#endif
