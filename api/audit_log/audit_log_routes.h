/*
 * The audit log: GET /v1/admin/audit-log and GET /v1/admin/audit-log/{id}, for a tenant's staff
 * admins (their tenant's records) and the operator (every tenant's).
 */
#ifndef CURBSIDE_AUDIT_LOG_ROUTES_H
#define CURBSIDE_AUDIT_LOG_ROUTES_H

#include "http/route.h"

extern const struct route_table audit_log_route_table;

#endif
