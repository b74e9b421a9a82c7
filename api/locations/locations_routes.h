/*
 * GET/POST /v1/admin/customers/{id}/locations, GET/PATCH /v1/admin/locations/{id}: a customer's
 * service locations (staff or API key).
 */
#ifndef CURBSIDE_LOCATIONS_ROUTES_H
#define CURBSIDE_LOCATIONS_ROUTES_H

#include "http/route.h"

extern const struct route_table locations_route_table;

#endif
