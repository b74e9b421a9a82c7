/* /v1/portal/payment-methods: the selected account's saved cards and bank accounts (portal token
 * with an account selected). */
#ifndef CURBSIDE_PAYMENT_METHODS_ROUTES_H
#define CURBSIDE_PAYMENT_METHODS_ROUTES_H

#include "http/route.h"

extern const struct route_table payment_methods_route_table;

#endif
