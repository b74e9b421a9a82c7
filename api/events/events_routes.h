/*
 * The event feed for integrators: GET /v1/admin/events and GET /v1/admin/events/{id} (staff or
 * API key of the tenant).
 */
#ifndef CURBSIDE_EVENTS_ROUTES_H
#define CURBSIDE_EVENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table events_route_table;

#endif
