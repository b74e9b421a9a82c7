/*
 * What a signed-in customer reads about the money of the selected account (API.md rules 12, 13,
 * 15, 16 and 21): the dashboard figures, invoices, payments and credits. Every function is scoped
 * by the tenant AND the customer account of the portal session: another account's object, another
 * customer's or another tenant's is not found, exactly like a missing one.
 *
 * Rule 13 lives in the SQL of portal_billing_service.c and db/migrations/0014_portal_views_b.sql:
 * only sent invoices show, pending ones too when the tenant shows them (marked, never payable,
 * never in a figure), drafts never; past due is judged by the tenant's today.
 */
#ifndef CURBSIDE_PORTAL_BILLING_SERVICE_H
#define CURBSIDE_PORTAL_BILLING_SERVICE_H

#include "db/pool.h"
#include "http/params.h"

/* The `status` filter of the invoice list, in the order of portal_billing_invoice_statuses. */
enum portal_billing_invoice_status {
	PORTAL_BILLING_ALL,
	PORTAL_BILLING_OPEN,
	PORTAL_BILLING_PAID,
	PORTAL_BILLING_PAST_DUE,
	PORTAL_BILLING_PENDING,
	PORTAL_BILLING_STATUS_COUNT,
};

/* The filter names as the query carries them, indexed by the enum, NULL-terminated. */
extern const char *const portal_billing_invoice_statuses[];

/* A validated invoice list query: dates are YYYY-MM-DD (from <= to), the location a UUID; NULL
 * for an absent one. */
struct portal_billing_invoice_query {
	enum portal_billing_invoice_status status;
	const char *from;
	const char *to;
	const char *location_id;
};

/* The dashboard of the account: figures, autopay state and tabs; *out (caller frees). */
int portal_billing_dashboard(char **out, struct db_pool *db, const char *tenant_id,
                             const char *customer_id) CS_MUST_CHECK;

/* One page of the account's visible invoices, newest invoice date first; *out (caller frees) is
 * {items, next_cursor}. A location that is not the account's is 422 invalid_parameter. */
int portal_billing_invoices(char **out, struct db_pool *db, const char *tenant_id,
                            const char *customer_id, const struct portal_billing_invoice_query *q,
                            const struct list_params *page) CS_MUST_CHECK;

/* One visible invoice with its lines and the payments and credits applied to it. */
int portal_billing_invoice(char **out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const char *invoice_id) CS_MUST_CHECK;

/* One page of the account's payments, newest payment date first. */
int portal_billing_payments(char **out, struct db_pool *db, const char *tenant_id,
                            const char *customer_id, const struct list_params *page) CS_MUST_CHECK;

/* One payment with its allocations to invoices and its refunds. */
int portal_billing_payment(char **out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const char *payment_id) CS_MUST_CHECK;

/* One page of the account's credits, newest credit date first. */
int portal_billing_credits(char **out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const struct list_params *page) CS_MUST_CHECK;

#endif
