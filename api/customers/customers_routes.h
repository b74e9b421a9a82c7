/* /v1/admin/customers: the hauler's customer accounts (staff or API key). */
#ifndef CURBSIDE_CUSTOMERS_ROUTES_H
#define CURBSIDE_CUSTOMERS_ROUTES_H

#include "http/fields.h"
#include "http/route.h"

/* A postal address {line1, line2, city, region, postal_code, country}; locations use it too. */
extern const struct field_spec customers_address_fields[];

extern const struct route_table customers_route_table;

#endif
