#include "portal_documents/portal_documents_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/link_token.h"
#include "db/query.h"
#include "pdf/pdf_text.h"
#include "portal_documents/portal_documents_render.h"

/* The tenant and customer of the row `x`, joined for document_json (0015). */
#define SQL_PARTIES(x)                                                                             \
	" JOIN tenants t ON t.id = " x ".tenant_id JOIN customers c ON c.tenant_id = " x           \
	".tenant_id AND c.id = " x ".customer_id"

/* A payment's portal JSON and how its receipt email names its method ("Visa ending in 4242"). */
#define SQL_RECEIPT(x)                                                                             \
	"json_extend(portal_payment_json(" x "), 'method_label', "                                 \
	"coalesce(to_json(payment_method_label(" x ")), 'null'::json))"

/* Rule 13 as in portal_invoices/portal_invoices_service.c: sent, or pending while the tenant
 * shows pending invoices; never a draft. */
static struct db_stmt invoice_stmt = DB_STMT(
        "portal_document_invoice",
        "SELECT document_json(t, c, 'invoice', portal_invoice_json(i, l, tenant_today(t.id)))"
        "::text FROM invoices i" SQL_PARTIES(
                "i") " LEFT JOIN locations l ON l.tenant_id = "
                     "i.tenant_id AND l.id = i.location_id WHERE i.tenant_id = $1 AND "
                     "i.customer_id = $2 AND "
                     "i.id = $3 AND (i.sent_at IS NOT NULL OR (i.status = 'pending' AND "
                     "t.show_pending_invoices))");

static struct db_stmt order_stmt =
        DB_STMT("portal_document_order",
                "SELECT document_json(t, c, 'order', portal_order_json(o))::text FROM orders "
                "o" SQL_PARTIES("o") " WHERE o.tenant_id = $1 AND o.customer_id = $2 AND "
                                     "o.id = $3");

static struct db_stmt payment_stmt = DB_STMT(
        "portal_document_payment",
        "SELECT document_json(t, c, 'payment', " SQL_RECEIPT(
                "p") ")::text FROM "
                     "payments p" SQL_PARTIES("p") " WHERE p.tenant_id = $1 AND p.customer_id = $2 "
                                                   "AND p.id = $3");

/* The same documents for the mail worker, by tenant slug ($1) and id ($2). */
static struct db_stmt mail_invoice_stmt = DB_STMT(
        "mail_document_invoice",
        "SELECT document_json(t, c, 'invoice', portal_invoice_json(i, l, tenant_today(t.id)))"
        "::text FROM invoices i" SQL_PARTIES("i") " LEFT JOIN locations l ON l.tenant_id = "
                                                  "i.tenant_id AND l.id = i.location_id WHERE "
                                                  "t.slug = $1 AND i.id = $2 AND i.sent_at IS "
                                                  "NOT NULL");

static struct db_stmt mail_payment_stmt =
        DB_STMT("mail_document_payment",
                "SELECT document_json(t, c, 'payment', " SQL_RECEIPT(
                        "p") ")::text FROM "
                             "payments p" SQL_PARTIES("p") " WHERE t.slug = $1 AND p.id = $2");

typedef int (*render_fn)(unsigned char **out, size_t *len, const json_t *doc);

void portal_document_clear(struct portal_document *doc)
{
	free(doc->data);
	doc->data = NULL;
	doc->len = 0;
}

/* Where an invoice's "Pay online" block points (issue 22). */
struct pay_link {
	const char *url;        /* the email's Review & Pay link, or NULL */
	const char *public_url; /* else the invoice's page in the portal under it, or NULL */
};

/*
 * Put the pay link of the document's `what` into its "pay_url": the email's own link (its
 * token); else, for a download by a signed-in customer, the invoice's page in the portal (the
 * download cannot know a Review & Pay token: only its hash is stored). Neither: no member.
 */
static int set_pay_url(json_t *doc, const char *what, const struct pay_link *link)
{
	const char *slug =
	        json_string_value(json_object_get(json_object_get(doc, "hauler"), "slug"));
	const char *id = json_string_value(json_object_get(json_object_get(doc, what), "id"));
	char *url = NULL;
	int rc = CS_OK;

	if (link->url)
		url = strdup(link->url);
	else if (link->public_url && slug && id)
		rc = link_token_url(&url, link->public_url, slug, "invoices", id);
	else
		return CS_OK;
	if (rc == CS_OK && (!url || json_object_set_new(doc, "pay_url", json_string(url))))
		rc = cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	free(url);
	return rc;
}

/* Read the document of `what` with `stmt`, render it and name its file `prefix` + the member
 * `name_key` of the object `what` (sanitised) + ".pdf". */
static int produce(struct portal_document *out, struct db_pool *db, struct db_stmt *stmt,
                   const char *const *params, int nparams, const char *what, render_fn render,
                   const char *prefix, const char *name_key, const struct pay_link *link)
{
	char *text = NULL, part[96];
	json_t *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_query_found(&text, db, stmt, params, nparams, what);
	if (rc != CS_OK)
		return rc;
	doc = json_loads(text, 0, NULL);
	free(text);
	if (!doc)
		return cs_error_set(CS_EINTERNAL, NULL, "The document could not be read.");
	rc = link ? set_pay_url(doc, what, link) : CS_OK;
	if (rc == CS_OK)
		rc = render(&out->data, &out->len, doc);
	if (rc == CS_OK) {
		pdf_text_filename(
		        part, sizeof(part),
		        json_string_value(json_object_get(json_object_get(doc, what), name_key)));
		snprintf(out->filename, sizeof(out->filename), "%s%s.pdf", prefix, part);
	}
	json_decref(doc);
	return rc;
}

int portal_documents_invoice(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                             const char *customer_id, const char *invoice_id,
                             const char *public_url)
{
	const char *params[] = {tenant_id, customer_id, invoice_id};
	struct pay_link link = {NULL, public_url};

	return produce(out, db, &invoice_stmt, DB_PARAMS(params), "invoice",
	               portal_documents_invoice_pdf, "invoice-", "number", &link);
}

int portal_documents_order(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const char *order_id, const char *public_url)
{
	const char *params[] = {tenant_id, customer_id, order_id};

	(void)public_url; /* a receipt asks for no payment */
	return produce(out, db, &order_stmt, DB_PARAMS(params), "order", portal_documents_order_pdf,
	               "receipt-order-", "number", NULL);
}

int portal_documents_payment(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                             const char *customer_id, const char *payment_id,
                             const char *public_url)
{
	const char *params[] = {tenant_id, customer_id, payment_id};

	(void)public_url; /* a receipt asks for no payment */
	return produce(out, db, &payment_stmt, DB_PARAMS(params), "payment",
	               portal_documents_payment_pdf, "receipt-payment-", "payment_date", NULL);
}

int portal_documents_invoice_for_mail(struct portal_document *out, struct db_pool *db,
                                      const char *tenant_slug, const char *invoice_id,
                                      const char *pay_url)
{
	const char *params[] = {tenant_slug, invoice_id};
	struct pay_link link = {pay_url, NULL};

	return produce(out, db, &mail_invoice_stmt, DB_PARAMS(params), "invoice",
	               portal_documents_invoice_pdf, "invoice-", "number", &link);
}

int portal_documents_payment_for_mail(struct portal_document *out, struct db_pool *db,
                                      const char *tenant_slug, const char *payment_id,
                                      const char *pay_url)
{
	const char *params[] = {tenant_slug, payment_id};

	(void)pay_url; /* a receipt asks for no payment */
	return produce(out, db, &mail_payment_stmt, DB_PARAMS(params), "payment",
	               portal_documents_payment_pdf, "receipt-payment-", "payment_date", NULL);
}
