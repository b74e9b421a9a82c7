/* The hauler's logo: staff upload and remove it (/v1/admin/settings/logo), anyone reads it at
 * its public URL (/v1/tenants/{tenant}/logo: the SPA's login page, the emails). */
#ifndef CURBSIDE_LOGOS_ROUTES_H
#define CURBSIDE_LOGOS_ROUTES_H

#include "http/route.h"

extern const struct route_table logos_route_table;

#endif
