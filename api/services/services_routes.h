/*
 * GET/POST /v1/admin/customers/{id}/services, GET/PATCH /v1/admin/services/{id}: a customer's
 * recurring pickup services (staff or API key).
 */
#ifndef CURBSIDE_SERVICES_ROUTES_H
#define CURBSIDE_SERVICES_ROUTES_H

#include "http/route.h"

extern const struct route_table services_route_table;

#endif
