/* Portal routes of the selected account's service requests: GET/POST
 * /v1/portal/service-requests, GET /service-requests/{id} and POST /service-requests/{id}/cancel.
 */
#ifndef CURBSIDE_PORTAL_SERVICE_REQUESTS_ROUTES_H
#define CURBSIDE_PORTAL_SERVICE_REQUESTS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_service_requests_route_table;

#endif
