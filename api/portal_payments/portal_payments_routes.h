/* /v1/portal/payments: the selected account's payments, one payment and its receipt, and paying
 * (POST, Idempotency-Key required); portal token with an account selected. */
#ifndef CURBSIDE_PORTAL_PAYMENTS_ROUTES_H
#define CURBSIDE_PORTAL_PAYMENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_payments_route_table;

#endif
