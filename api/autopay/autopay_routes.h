/* GET/PUT /v1/portal/autopay: the selected account's autopay (API.md rule 19). */
#ifndef CURBSIDE_AUTOPAY_ROUTES_H
#define CURBSIDE_AUTOPAY_ROUTES_H

#include "http/route.h"

extern const struct route_table autopay_route_table;

#endif
