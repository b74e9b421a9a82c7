/* POST /v1/portal/payments: the selected account pays (portal token with an account selected,
 * Idempotency-Key required). */
#ifndef CURBSIDE_PORTAL_PAYMENTS_ROUTES_H
#define CURBSIDE_PORTAL_PAYMENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_payments_route_table;

#endif
