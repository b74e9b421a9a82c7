/* /v1/admin/customers/:id/portal and the staff invitation endpoints (API.md rules 2-4; staff or
 * API key). */
#ifndef CURBSIDE_PORTAL_ACCESS_ROUTES_H
#define CURBSIDE_PORTAL_ACCESS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_access_route_table;

/* GET /v1/admin/customers/:id with its current invitation link (the customers module's read). */
int portal_access_serve_customer(struct http_ctx *ctx) CS_MUST_CHECK;

#endif
