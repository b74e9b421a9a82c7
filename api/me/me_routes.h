/* The signed-in portal user's own profile and password. */
#ifndef CURBSIDE_ME_ROUTES_H
#define CURBSIDE_ME_ROUTES_H

#include "http/route.h"

extern const struct route_table me_route_table;

#endif
