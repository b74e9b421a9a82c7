/* /v1/portal/invoices: the selected account's invoices, one invoice and its PDF, as its signed-in
 * customer sees them (portal token with an account selected). */
#ifndef CURBSIDE_PORTAL_INVOICES_ROUTES_H
#define CURBSIDE_PORTAL_INVOICES_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_invoices_route_table;

#endif
