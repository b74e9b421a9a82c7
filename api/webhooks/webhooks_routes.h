/*
 * Webhook endpoints and their delivery log (staff admin or API key): /v1/admin/webhook-endpoints,
 * .../{id}, .../{id}/rotate-secret, .../{id}/deliveries, .../deliveries/{delivery_id} and
 * .../deliveries/{delivery_id}/redeliver.
 */
#ifndef CURBSIDE_WEBHOOKS_ROUTES_H
#define CURBSIDE_WEBHOOKS_ROUTES_H

#include "http/route.h"

extern const struct route_table webhooks_route_table;

#endif
