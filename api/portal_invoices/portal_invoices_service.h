/*
 * What a signed-in customer reads about the invoices of the selected account (API.md rules 13 and
 * 15): the list with its filters and one invoice. Every function is scoped by the tenant AND the
 * customer account of the portal session: another account's invoice, another customer's or
 * another tenant's is not found, exactly like a missing one.
 *
 * Rule 13 lives in the SQL of portal_invoices_service.c and db/migrations/0014_portal_views_b.sql:
 * only sent invoices show, pending ones too when the tenant shows them (marked, never payable,
 * never in a figure), drafts never; past due is judged by the tenant's today.
 */
#ifndef CURBSIDE_PORTAL_INVOICES_SERVICE_H
#define CURBSIDE_PORTAL_INVOICES_SERVICE_H

#include "db/pool.h"
#include "http/params.h"

/* The `status` filter of the invoice list, in the order of portal_invoice_statuses. */
enum portal_invoice_status {
	PORTAL_INVOICES_ALL,
	PORTAL_INVOICES_OPEN,
	PORTAL_INVOICES_PAID,
	PORTAL_INVOICES_PAST_DUE,
	PORTAL_INVOICES_PENDING,
	PORTAL_INVOICES_STATUS_COUNT,
};

/* The filter names as the query carries them, indexed by the enum, NULL-terminated. */
extern const char *const portal_invoice_statuses[];

/* A validated invoice list query: dates are YYYY-MM-DD (from <= to), the location a UUID; NULL
 * for an absent one. */
struct portal_invoice_query {
	enum portal_invoice_status status;
	const char *from;
	const char *to;
	const char *location_id;
};

/* One page of the account's visible invoices, newest invoice date first; *out (caller frees) is
 * {items, next_cursor}. A location that is not the account's is 422 invalid_parameter. */
int portal_invoices_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const struct portal_invoice_query *q,
                         const struct list_params *page) CS_MUST_CHECK;

/* One visible invoice with its lines and the payments and credits applied to it. */
int portal_invoices_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *invoice_id) CS_MUST_CHECK;

#endif
