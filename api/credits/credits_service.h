/*
 * Account credits of a tenant's customers and their application to invoices. Every function is
 * scoped by the caller's tenant: another tenant's credit is simply not found. The money rules
 * (what a credit and an invoice can still take, concurrent applications) live in credit_apply()
 * and the triggers and CHECKs of db/migrations/0005_billing.sql.
 */
#ifndef CURBSIDE_CREDITS_SERVICE_H
#define CURBSIDE_CREDITS_SERVICE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/params.h"

/* One page of a customer's credits, newest credit date first, without applications; *out
 * (caller frees) is {items, next_cursor}. An unknown customer is CS_ENOTFOUND. */
int credits_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                 const struct list_params *page) CS_MUST_CHECK;

/* One credit with its applications. */
int credits_get(char **out, struct db_pool *db, const char *tenant_id,
                const char *credit_id) CS_MUST_CHECK;

/* Create a credit for a customer from a validated body; *out is the credit as stored. */
int credits_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                   const json_t *body) CS_MUST_CHECK;

/* Apply (part of) a credit to an open invoice of its customer ({invoice_id, amount_cents?});
 * *out is the credit as now stored. */
int credits_apply(char **out, struct db_pool *db, const char *tenant_id, const char *credit_id,
                  const json_t *body) CS_MUST_CHECK;

#endif
