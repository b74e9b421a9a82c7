/*
 * /v1/admin/payments and /v1/admin/customers/{id}/payments: offline payments (check, cash, other)
 * and their refunds (staff or API key). Recording and refunding take an Idempotency-Key.
 */
#ifndef CURBSIDE_PAYMENTS_ROUTES_H
#define CURBSIDE_PAYMENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table payments_route_table;

#endif
