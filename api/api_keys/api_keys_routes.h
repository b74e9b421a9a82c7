/* GET/POST /v1/admin/api-keys, DELETE /v1/admin/api-keys/{id}: staff admins manage API keys. */
#ifndef CURBSIDE_API_KEYS_ROUTES_H
#define CURBSIDE_API_KEYS_ROUTES_H

#include "http/route.h"

extern const struct route_table api_keys_route_table;

#endif
