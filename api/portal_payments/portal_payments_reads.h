/*
 * What a signed-in customer reads about the payments of the selected account (API.md rule 16):
 * the list and one payment. Both are scoped by the tenant AND the account of the portal session:
 * another account's, customer's or tenant's payment is not found, exactly like a missing one.
 */
#ifndef CURBSIDE_PORTAL_PAYMENTS_READS_H
#define CURBSIDE_PORTAL_PAYMENTS_READS_H

#include "db/pool.h"
#include "http/params.h"

/* One page of the account's payments, newest payment date first. */
int portal_payments_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const struct list_params *page) CS_MUST_CHECK;

/* One payment with its allocations to invoices and its refunds. */
int portal_payments_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *payment_id) CS_MUST_CHECK;

#endif
