/* Portal routes of the selected account itself: GET /v1/portal/account,
 * /dashboard, /locations, /services. */
#ifndef CURBSIDE_PORTAL_ACCOUNT_ROUTES_H
#define CURBSIDE_PORTAL_ACCOUNT_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_account_route_table;

#endif
