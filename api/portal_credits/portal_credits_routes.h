/* GET /v1/portal/credits: the selected account's credits (portal token with an account selected).
 */
#ifndef CURBSIDE_PORTAL_CREDITS_ROUTES_H
#define CURBSIDE_PORTAL_CREDITS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_credits_route_table;

#endif
