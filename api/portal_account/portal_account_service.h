/*
 * The selected customer account as its customer sees it in the portal: the account itself, its
 * active service locations and its recurring services. Every statement is scoped by the tenant
 * AND the account of the caller's session.
 */
#ifndef CURBSIDE_PORTAL_ACCOUNT_SERVICE_H
#define CURBSIDE_PORTAL_ACCOUNT_SERVICE_H

#include "db/pool.h"
#include "http/auth.h"
#include "http/params.h"

/* The account with the dashboard tabs that apply to it; *out (caller frees) is its JSON. */
int portal_account_read(char **out, struct db_pool *db, const struct principal *who) CS_MUST_CHECK;

/* One page of the account's active service locations, oldest first; *out (caller frees) is
 * {items, next_cursor}. */
int portal_locations_list(char **out, struct db_pool *db, const struct principal *who,
                          const struct list_params *page) CS_MUST_CHECK;

/* One page of the account's active recurring services with their location, oldest first; *out
 * (caller frees) is {items, next_cursor}. */
int portal_services_list(char **out, struct db_pool *db, const struct principal *who,
                         const struct list_params *page) CS_MUST_CHECK;

#endif
