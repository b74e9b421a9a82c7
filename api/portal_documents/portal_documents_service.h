/*
 * The portal's documents as PDF (issue 5): an invoice, an order receipt, a payment receipt. A
 * library with no routes: portal_invoices, portal_orders and portal_payments serve them
 * (portal/portal_serve.h), the mail worker attaches them. Each reads its document in one statement
 * scoped by the tenant AND the account, with the same visibility as the JSON read (GET
 * /v1/portal/invoices/{id} etc.): another account's, customer's or tenant's object, an invisible
 * invoice and a malformed id are all 404 not_found.
 */
#ifndef CURBSIDE_PORTAL_DOCUMENTS_SERVICE_H
#define CURBSIDE_PORTAL_DOCUMENTS_SERVICE_H

#include <stddef.h>

#include "db/pool.h"

/* A rendered document: `data` (malloc'd, `len` bytes) and its file name ("invoice-A-1.pdf"). */
struct portal_document {
	unsigned char *data;
	size_t len;
	char filename[160];
};

/* Free the document's bytes (the struct itself is the caller's). */
void portal_document_clear(struct portal_document *doc);

/* `public_url` (CURBSIDE_PUBLIC_URL): the invoice's "Pay online" block points at its page in
 * the portal; the receipts take it to share one signature and ignore it. */
int portal_documents_invoice(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                             const char *customer_id, const char *invoice_id,
                             const char *public_url) CS_MUST_CHECK;

int portal_documents_order(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const char *order_id,
                           const char *public_url) CS_MUST_CHECK;

int portal_documents_payment(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                             const char *customer_id, const char *payment_id,
                             const char *public_url) CS_MUST_CHECK;

/*
 * The documents emails attach, read by the tenant's slug and the object's id with no account
 * scope (the outbox row names them; the link was decided when the email was queued): a sent
 * invoice, a payment. CS_ENOTFOUND when there is none (or the invoice was never sent).
 * `pay_url` is the email's own link (the invoice's Review & Pay link, or NULL): the invoice's
 * "Pay online" block prints it; the receipt ignores it.
 */
int portal_documents_invoice_for_mail(struct portal_document *out, struct db_pool *db,
                                      const char *tenant_slug, const char *invoice_id,
                                      const char *pay_url) CS_MUST_CHECK;

int portal_documents_payment_for_mail(struct portal_document *out, struct db_pool *db,
                                      const char *tenant_slug, const char *payment_id,
                                      const char *pay_url) CS_MUST_CHECK;

#endif
