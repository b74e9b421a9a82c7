/*
 * GET/POST /v1/admin/customers/{id}/orders, GET/PATCH /v1/admin/orders/{id}: a customer's orders
 * (staff or API key).
 */
#ifndef CURBSIDE_ORDERS_ROUTES_H
#define CURBSIDE_ORDERS_ROUTES_H

#include "http/route.h"

extern const struct route_table orders_route_table;

#endif
