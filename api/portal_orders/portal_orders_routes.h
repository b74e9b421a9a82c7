/* Portal routes of the selected account's orders: GET /v1/portal/orders, /orders/{id}
 * and /orders/{id}/receipt (PDF). */
#ifndef CURBSIDE_PORTAL_ORDERS_ROUTES_H
#define CURBSIDE_PORTAL_ORDERS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_orders_route_table;

#endif
