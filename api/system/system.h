/* Operational endpoints: health, readiness, metrics, the OpenAPI document and the docs page. */
#ifndef CURBSIDE_SYSTEM_H
#define CURBSIDE_SYSTEM_H

#include "http/route.h"

extern const struct route_table system_route_table;

#endif
