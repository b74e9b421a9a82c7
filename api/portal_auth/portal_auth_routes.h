/* Portal sign-in: password login, refresh, logout and switching the selected account. */
#ifndef CURBSIDE_PORTAL_AUTH_ROUTES_H
#define CURBSIDE_PORTAL_AUTH_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_auth_route_table;

#endif
