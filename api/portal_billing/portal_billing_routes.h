/* /v1/portal/dashboard, invoices, payments and credits: the selected account's money, as its
 * signed-in customer sees it (portal token with an account selected). */
#ifndef CURBSIDE_PORTAL_BILLING_ROUTES_H
#define CURBSIDE_PORTAL_BILLING_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_billing_route_table;

#endif
