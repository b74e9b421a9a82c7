/*
 * The credits of the selected account as its signed-in customer reads them (API.md rule 21),
 * scoped by the tenant AND the account of the portal session.
 */
#ifndef CURBSIDE_PORTAL_CREDITS_SERVICE_H
#define CURBSIDE_PORTAL_CREDITS_SERVICE_H

#include "db/pool.h"
#include "http/params.h"

/* One page of the account's credits, newest credit date first. */
int portal_credits_list(char **out, struct db_pool *db, const char *tenant_id,
                        const char *customer_id, const struct list_params *page) CS_MUST_CHECK;

#endif
