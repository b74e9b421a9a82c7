/*
 * Invoices of a tenant's customers, with their lines, as hauler staff and integrators keep them.
 * Every function is scoped by the caller's tenant: another tenant's invoice is simply not found.
 * The money rules (totals, balances, what a sent invoice may still change) live in the SQL
 * functions of db/migrations/0007_back_office_writes.sql; this module only shapes requests.
 */
#ifndef CURBSIDE_INVOICES_SERVICE_H
#define CURBSIDE_INVOICES_SERVICE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/params.h"

/* One page of a customer's invoices, newest invoice date first, without lines; *out (caller
 * frees) is {items, next_cursor}. `status` NULL for every status. An unknown customer is
 * CS_ENOTFOUND. */
int invoices_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const char *status, const struct list_params *page) CS_MUST_CHECK;

/* One invoice with its lines. */
int invoices_get(char **out, struct db_pool *db, const char *tenant_id,
                 const char *invoice_id) CS_MUST_CHECK;

/* Create an invoice for a customer from a validated body; *out is the invoice as stored. */
int invoices_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                    const json_t *body) CS_MUST_CHECK;

/* Apply a validated patch (lines, when given, replace the old ones whole). */
int invoices_update(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id,
                    const json_t *patch) CS_MUST_CHECK;

/* Post a draft or pending invoice (open, or paid at zero); a sent one is answered unchanged.
 * Either way the invoice is emailed with a new Review & Pay link when the customer has an
 * address (db/migrations/0010_invitations.sql). */
int invoices_send(char **out, struct db_pool *db, const char *tenant_id,
                  const char *invoice_id) CS_MUST_CHECK;

/* Void an invoice, releasing the credits applied to it; `reason` may be NULL. */
int invoices_void(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id,
                  const char *reason) CS_MUST_CHECK;

#endif
