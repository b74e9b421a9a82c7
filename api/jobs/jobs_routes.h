/* Bulk invitation (staff admin, API key or operator) and job progress (API.md rule 11). */
#ifndef CURBSIDE_JOBS_ROUTES_H
#define CURBSIDE_JOBS_ROUTES_H

#include "http/route.h"

extern const struct route_table jobs_route_table;

#endif
