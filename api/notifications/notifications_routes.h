/*
 * Text notifications: the portal's /v1/portal/notifications (the selected account's reminder
 * preference), and the back office's consent history and service reminders under
 * /v1/admin/customers/:id/ (staff or API key).
 */
#ifndef CURBSIDE_NOTIFICATIONS_ROUTES_H
#define CURBSIDE_NOTIFICATIONS_ROUTES_H

#include "http/route.h"

extern const struct route_table notifications_route_table;

#endif
