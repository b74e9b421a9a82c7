/* /v1/admin/.../credits: a customer's account credits and their application to invoices (staff or
 * API key). */
#ifndef CURBSIDE_CREDITS_ROUTES_H
#define CURBSIDE_CREDITS_ROUTES_H

#include "http/route.h"

extern const struct route_table credits_route_table;

#endif
