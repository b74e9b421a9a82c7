/* Tenant endpoints: operator create/update, public branding; and the tenant field rules. */
#ifndef CURBSIDE_TENANTS_ROUTES_H
#define CURBSIDE_TENANTS_ROUTES_H

#include "http/fields.h"
#include "http/route.h"

extern const struct route_table tenants_route_table;

/* The members a hauler's staff may change in its settings (shared with the settings module). */
extern const struct field_spec tenants_settings_fields[];

#endif
