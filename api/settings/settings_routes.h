/* The hauler's own settings, for its staff: everything but the operator-only portal switch. */
#ifndef CURBSIDE_SETTINGS_ROUTES_H
#define CURBSIDE_SETTINGS_ROUTES_H

#include "http/route.h"

extern const struct route_table settings_route_table;

#endif
