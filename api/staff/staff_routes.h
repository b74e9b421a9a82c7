/* Staff endpoints: the operator creates staff users; staff log in. */
#ifndef CURBSIDE_STAFF_ROUTES_H
#define CURBSIDE_STAFF_ROUTES_H

#include "http/route.h"

extern const struct route_table staff_route_table;

#endif
