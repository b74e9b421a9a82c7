/* Sign in with Google: POST /v1/tenants/{tenant}/auth/google and .../auth/google/callback. */
#ifndef CURBSIDE_GOOGLE_LOGIN_ROUTES_H
#define CURBSIDE_GOOGLE_LOGIN_ROUTES_H

#include "http/route.h"

extern const struct route_table google_login_route_table;

#endif
