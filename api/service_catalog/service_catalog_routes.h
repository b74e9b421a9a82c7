/* The service-request catalog: GET/PATCH /v1/admin/service-catalog (staff admins and API keys
 * edit it) and GET /v1/portal/service-catalog (what the selected account may ask for). */
#ifndef CURBSIDE_SERVICE_CATALOG_ROUTES_H
#define CURBSIDE_SERVICE_CATALOG_ROUTES_H

#include "http/route.h"

extern const struct route_table service_catalog_route_table;

#endif
