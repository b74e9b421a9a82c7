/* /v1/admin/.../invoices: a customer's invoices with their lines; send and void (staff or API
 * key). */
#ifndef CURBSIDE_INVOICES_ROUTES_H
#define CURBSIDE_INVOICES_ROUTES_H

#include "http/route.h"

extern const struct route_table invoices_route_table;

#endif
