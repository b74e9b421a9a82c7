/* POST /v1/portal/contact: a customer's message to the hauler (rule 23). */
#ifndef CURBSIDE_CONTACT_ROUTES_H
#define CURBSIDE_CONTACT_ROUTES_H

#include "http/route.h"

extern const struct route_table contact_route_table;

#endif
