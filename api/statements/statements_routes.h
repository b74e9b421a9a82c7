/* GET /v1/portal/statement: the selected account's balance statement as JSON, PDF or CSV. */
#ifndef CURBSIDE_STATEMENTS_ROUTES_H
#define CURBSIDE_STATEMENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table statements_route_table;

#endif
