/*
 * The staff queue of service requests: GET /v1/admin/service-requests, GET
 * /v1/admin/service-requests/{id} and POST /v1/admin/service-requests/{id}/{accept, schedule,
 * decline, complete} (staff or API key).
 */
#ifndef CURBSIDE_SERVICE_REQUESTS_ROUTES_H
#define CURBSIDE_SERVICE_REQUESTS_ROUTES_H

#include "http/route.h"

extern const struct route_table service_requests_route_table;

#endif
