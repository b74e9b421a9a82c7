/*
 * The dashboard of the selected account (API.md rule 12): its balance figures, autopay state and
 * tabs, scoped by the tenant AND the account of the portal session.
 */
#ifndef CURBSIDE_PORTAL_DASHBOARD_H
#define CURBSIDE_PORTAL_DASHBOARD_H

#include "db/pool.h"

/* The dashboard of the account: figures, autopay state and tabs; *out (caller frees). */
int portal_dashboard_read(char **out, struct db_pool *db, const char *tenant_id,
                          const char *customer_id) CS_MUST_CHECK;

#endif
