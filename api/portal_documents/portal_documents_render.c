#include "portal_documents/portal_documents_render.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "pdf/pdf_doc.h"
#include "pdf/pdf_text.h"

/* A string member of `obj`, or NULL (absent, null, not a string). */
static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static json_int_t num(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* Money in the document's currency; never fails for a bigint and this buffer size. */
struct money {
	char text[48];
};

static struct money money(const json_t *doc, json_int_t cents)
{
	struct money m;
	const char *currency = str(json_object_get(doc, "hauler"), "currency");

	if (pdf_text_money(m.text, sizeof(m.text), (int64_t)cents, currency) != CS_OK)
		snprintf(m.text, sizeof(m.text), "%lld", (long long)cents);
	return m;
}

struct day {
	char text[32];
};

/* "2026-11-24" as "Nov 24, 2026" (left as it is when it is not such a date). */
static struct day day(const char *iso)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct day d = {""};
	int y, m, dd;

	if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &dd) == 3 && m >= 1 && m <= 12)
		snprintf(d.text, sizeof(d.text), "%s %d, %d", months[m - 1], dd, y);
	else if (iso)
		snprintf(d.text, sizeof(d.text), "%s", iso);
	return d;
}

void portal_documents_money(char *out, size_t cap, const json_t *doc, json_int_t cents)
{
	snprintf(out, cap, "%s", money(doc, cents).text);
}

void portal_documents_day(char *out, size_t cap, const char *iso)
{
	snprintf(out, cap, "%s", day(iso).text);
}

/* "bank_account" as "Bank account". */
struct word {
	char text[48];
};

static struct word label_of(const char *code)
{
	struct word w = {""};

	snprintf(w.text, sizeof(w.text), "%s", code ? code : "");
	for (char *c = w.text; *c; c++)
		if (*c == '_')
			*c = ' ';
	if (w.text[0] >= 'a' && w.text[0] <= 'z')
		w.text[0] = (char)(w.text[0] - 'a' + 'A');
	return w;
}

/* The logo's largest size in points: a letterhead's, about 2.5 x 0.75 inches. */
#define LOGO_W 180.0f
#define LOGO_H 54.0f

/* The hauler's uploaded logo ({content_type, hex}), when it has one. */
static int logo(struct pdf_doc *pdf, const json_t *h)
{
	const json_t *l = json_object_get(h, "logo");
	const char *hex = str(l, "hex"), *type = str(l, "content_type");
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	if (!hex || !type)
		return CS_OK;
	rc = hex_decode(&data, &len, hex);
	if (rc == -2)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	if (rc)
		return CS_OK; /* not hex: PostgreSQL's encode() never gives that */
	PDF_TRY(pdf_doc_image(pdf, data, len, !strcmp(type, "image/png"), LOGO_W, LOGO_H));
	PDF_TRY(pdf_doc_gap(pdf, 8));
out:
	free(data);
	return rc;
}

int portal_documents_head(struct pdf_doc *pdf, const json_t *doc, const char *title)
{
	const json_t *h = json_object_get(doc, "hauler"), *c = json_object_get(doc, "customer");
	int rc;

	PDF_TRY(logo(pdf, h));
	PDF_TRY(pdf_doc_text(pdf, PDF_TITLE, str(h, "name")));
	if (str(h, "address"))
		PDF_TRY(pdf_doc_text(pdf, PDF_BODY, str(h, "address")));
	const char *contacts[] = {str(h, "phone"), str(h, "email"), str(h, "website")};

	for (size_t i = 0; i < 3; i++)
		if (contacts[i])
			PDF_TRY(pdf_doc_text(pdf, PDF_BODY, contacts[i]));
	PDF_TRY(pdf_doc_gap(pdf, 10));
	PDF_TRY(pdf_doc_text(pdf, PDF_HEADING, title));
	PDF_TRY(pdf_doc_rule(pdf));
	PDF_TRY(pdf_doc_field(pdf, "Account", str(c, "account_number")));
	PDF_TRY(pdf_doc_field(pdf, "Customer", str(c, "name")));
	PDF_TRY(pdf_doc_field(pdf, "Billing address", str(c, "billing_address_line")));
out:
	return rc;
}

static int finish(unsigned char **out, size_t *len, struct pdf_doc *pdf, int rc)
{
	if (rc == CS_OK)
		rc = pdf_doc_render(out, len, pdf);
	pdf_doc_free(pdf);
	return rc;
}

int portal_documents_open(struct pdf_doc **pdf, const json_t *doc, const char *title)
{
	const json_t *h = json_object_get(doc, "hauler");
	int rc = pdf_doc_new(pdf, title, str(h, "name"));

	if (rc == CS_OK)
		pdf_doc_accent(*pdf, str(h, "brand_color"));
	return rc;
}

static const char *location_line(const json_t *obj)
{
	const json_t *l = json_object_get(obj, "location");
	const char *line = str(l, "address_line");

	return line ? line : str(l, "name");
}

/* A quantity of up to three decimals without trailing zeros: "1", "2.5". */
static void quantity(char *out, size_t cap, const json_t *q)
{
	char *dot;

	snprintf(out, cap, "%.3f", json_number_value(q));
	dot = strchr(out, '.');
	if (!dot)
		return;
	for (char *e = out + strlen(out) - 1; e > dot && *e == '0'; e--)
		*e = '\0';
	if (dot[1] == '\0')
		*dot = '\0';
}

static const struct pdf_column line_cols[] = {
        {"Description", 0.52f, PDF_LEFT},
        {"Quantity", 0.12f, PDF_RIGHT},
        {"Unit price", 0.18f, PDF_RIGHT},
        {"Amount", 0.18f, PDF_RIGHT},
};

static int invoice_lines(struct pdf_doc *pdf, const json_t *doc, const json_t *lines)
{
	size_t i;
	json_t *line;
	int rc;

	PDF_TRY(pdf_doc_table(pdf, line_cols, 4));
	json_array_foreach(lines, i, line)
	{
		char q[32];
		struct money unit = money(doc, num(line, "unit_price_cents"));
		struct money amount = money(doc, num(line, "amount_cents"));

		quantity(q, sizeof(q), json_object_get(line, "quantity"));
		const char *cells[] = {str(line, "description"), q, unit.text, amount.text};

		PDF_TRY(pdf_doc_row(pdf, cells));
	}
	pdf_doc_table_end(pdf);
out:
	return rc;
}

/* The totals under the Amount column, as a hauler's invoice has them. */
static int invoice_totals(struct pdf_doc *pdf, const json_t *doc, const json_t *inv)
{
	int rc;

	PDF_TRY(pdf_doc_rule(pdf));
	PDF_TRY(pdf_doc_total(pdf, PDF_BODY, "Total", money(doc, num(inv, "total_cents")).text));
	PDF_TRY(pdf_doc_total(pdf, PDF_BODY, "Paid", money(doc, num(inv, "paid_cents")).text));
	PDF_TRY(pdf_doc_total(pdf, PDF_BODY, "Credited",
	                      money(doc, num(inv, "credited_cents")).text));
	PDF_TRY(pdf_doc_total(pdf, PDF_BOLD, "Balance due",
	                      money(doc, num(inv, "balance_cents")).text));
	if (json_is_true(json_object_get(inv, "pending")))
		PDF_TRY(pdf_doc_text(
		        pdf, PDF_SMALL,
		        "This invoice is pending: it is not yet due and cannot be paid."));
	if (str(inv, "memo")) {
		PDF_TRY(pdf_doc_gap(pdf, 8));
		PDF_TRY(pdf_doc_text(pdf, PDF_BODY, str(inv, "memo")));
	}
out:
	return rc;
}

/* Whether the invoice asks for money now: something due, neither pending nor void. Only then
 * does it carry the "Pay online" block and the remittance stub. */
static bool payable(const json_t *inv)
{
	const char *status = str(inv, "status");

	return num(inv, "balance_cents") > 0 && status && !strcmp(status, "open");
}

#define QR_SIZE 96.0f

static int pay_online(struct pdf_doc *pdf, const json_t *doc, const json_t *inv)
{
	const char *url = str(doc, "pay_url");
	int rc = CS_OK;

	if (!url || !payable(inv))
		return CS_OK;
	PDF_TRY(pdf_doc_gap(pdf, 14));
	PDF_TRY(pdf_doc_text(pdf, PDF_HEADING, "Pay online"));
	PDF_TRY(pdf_doc_text(pdf, PDF_BODY, "Review and pay this invoice at:"));
	PDF_TRY(pdf_doc_text(pdf, PDF_BODY, url));
	PDF_TRY(pdf_doc_qr(pdf, url, QR_SIZE));
	PDF_TRY(pdf_doc_text(pdf, PDF_SMALL, "Or scan the code with your phone's camera."));
out:
	return rc;
}

/* "Hauler name, remit-to address": whom a check is made out to and where it goes. */
static char *remit_to(const json_t *doc)
{
	const json_t *h = json_object_get(doc, "hauler");
	const char *name = str(h, "name") ? str(h, "name") : "", *where = str(h, "remit_to");
	size_t cap = strlen(name) + (where ? strlen(where) : 0) + 3;
	char *out = malloc(cap);

	if (out)
		snprintf(out, cap, "%s%s%s", name, where ? ", " : "", where ? where : "");
	return out;
}

/* The remittance stub at the foot of the last page, cut off and mailed with a check. */
static int remittance_stub(struct pdf_doc *pdf, const json_t *doc, const json_t *inv)
{
	const json_t *c = json_object_get(doc, "customer");
	char *remit = NULL;
	int rc = CS_OK;

	if (!payable(inv))
		return CS_OK;
	remit = remit_to(doc);
	if (!remit)
		return cs_error_set(CS_ENOMEM, NULL, "Out of memory.");
	/* Five one-line fields, the address and a gap. */
	float height = 5 * pdf_doc_field_height(pdf, "") + pdf_doc_field_height(pdf, remit) + 8;

	PDF_TRY(pdf_doc_foot(pdf, height, "Please return this part with your payment"));
	PDF_TRY(pdf_doc_field(pdf, "Account number", str(c, "account_number")));
	PDF_TRY(pdf_doc_field(pdf, "Invoice number", str(inv, "number")));
	PDF_TRY(pdf_doc_field(pdf, "Amount due", money(doc, num(inv, "balance_cents")).text));
	PDF_TRY(pdf_doc_field(pdf, "Due date", day(str(inv, "due_date")).text));
	PDF_TRY(pdf_doc_field(pdf, "Amount enclosed", "____________________"));
	PDF_TRY(pdf_doc_gap(pdf, 8));
	PDF_TRY(pdf_doc_field(pdf, "Remit to", remit));
out:
	free(remit);
	return rc;
}

int portal_documents_invoice_pdf(unsigned char **out, size_t *len, const json_t *doc)
{
	const json_t *inv = json_object_get(doc, "invoice");
	struct pdf_doc *pdf = NULL;
	char title[160];
	int rc;

	*out = NULL;
	*len = 0;
	snprintf(title, sizeof(title), "Invoice %s", str(inv, "number") ? str(inv, "number") : "");
	rc = portal_documents_open(&pdf, doc, title);
	if (rc != CS_OK)
		return rc;
	PDF_TRY(pdf_doc_page_label(pdf, title));
	PDF_TRY(portal_documents_head(pdf, doc, title));
	PDF_TRY(pdf_doc_field(pdf, "Service location", location_line(inv)));
	PDF_TRY(pdf_doc_gap(pdf, 6));
	PDF_TRY(pdf_doc_field(pdf, "Invoice number", str(inv, "number")));
	PDF_TRY(pdf_doc_field(pdf, "Invoice date", day(str(inv, "invoice_date")).text));
	PDF_TRY(pdf_doc_field(pdf, "Due date", day(str(inv, "due_date")).text));
	PDF_TRY(pdf_doc_field(pdf, "Terms", str(inv, "terms")));
	PDF_TRY(pdf_doc_field(pdf, "Status",
	                      json_is_true(json_object_get(inv, "past_due"))
	                              ? "Past due"
	                              : label_of(str(inv, "status")).text));
	PDF_TRY(pdf_doc_gap(pdf, 10));
	PDF_TRY(invoice_lines(pdf, doc, json_object_get(inv, "lines")));
	PDF_TRY(invoice_totals(pdf, doc, inv));
	PDF_TRY(pay_online(pdf, doc, inv));
	PDF_TRY(remittance_stub(pdf, doc, inv));
out:
	return finish(out, len, pdf, rc);
}

int portal_documents_order_pdf(unsigned char **out, size_t *len, const json_t *doc)
{
	const json_t *o = json_object_get(doc, "order");
	struct pdf_doc *pdf = NULL;
	char title[160];
	int rc;

	*out = NULL;
	*len = 0;
	snprintf(title, sizeof(title), "Order receipt %s",
	         str(o, "number") ? str(o, "number") : "");
	rc = portal_documents_open(&pdf, doc, title);
	if (rc != CS_OK)
		return rc;
	PDF_TRY(portal_documents_head(pdf, doc, title));
	PDF_TRY(pdf_doc_gap(pdf, 6));
	PDF_TRY(pdf_doc_field(pdf, "Order number", str(o, "number")));
	PDF_TRY(pdf_doc_field(pdf, "Service date", day(str(o, "service_date")).text));
	PDF_TRY(pdf_doc_field(pdf, "Service", str(o, "service")));
	PDF_TRY(pdf_doc_field(pdf, "Type", label_of(str(o, "type")).text));
	PDF_TRY(pdf_doc_field(pdf, "Location", location_line(o)));
	PDF_TRY(pdf_doc_field(pdf, "Asset", str(o, "asset_id")));
	PDF_TRY(pdf_doc_field(pdf, "Description", str(o, "description")));
	PDF_TRY(pdf_doc_field(pdf, "Status", label_of(str(o, "status")).text));
	if (json_is_integer(json_object_get(o, "amount_cents"))) {
		PDF_TRY(pdf_doc_rule(pdf));
		PDF_TRY(pdf_doc_field(pdf, "Amount", money(doc, num(o, "amount_cents")).text));
	}
out:
	return finish(out, len, pdf, rc);
}

static const struct pdf_column allocation_cols[] = {
        {"Invoice", 0.40f, PDF_LEFT},
        {"Invoice date", 0.25f, PDF_LEFT},
        {"Applied", 0.175f, PDF_RIGHT},
        {"Reversed", 0.175f, PDF_RIGHT},
};

static const struct pdf_column refund_cols[] = {
        {"Refund date", 0.25f, PDF_LEFT},
        {"Reason", 0.40f, PDF_LEFT},
        {"Status", 0.175f, PDF_LEFT},
        {"Amount", 0.175f, PDF_RIGHT},
};

static int payment_tables(struct pdf_doc *pdf, const json_t *doc, const json_t *p)
{
	const json_t *allocations = json_object_get(p, "allocations");
	const json_t *refunds = json_object_get(p, "refunds");
	json_t *row;
	size_t i;
	int rc = CS_OK;

	if (json_array_size(allocations)) {
		PDF_TRY(pdf_doc_gap(pdf, 10));
		PDF_TRY(pdf_doc_text(pdf, PDF_HEADING, "Applied to invoices"));
		PDF_TRY(pdf_doc_table(pdf, allocation_cols, 4));
		json_array_foreach(allocations, i, row)
		{
			struct money applied = money(doc, num(row, "amount_cents"));
			struct money reversed = money(doc, num(row, "reversed_cents"));
			struct day date = day(str(row, "invoice_date"));
			const char *cells[] = {str(row, "invoice_number"), date.text, applied.text,
			                       num(row, "reversed_cents") ? reversed.text : ""};

			PDF_TRY(pdf_doc_row(pdf, cells));
		}
		pdf_doc_table_end(pdf);
	}
	if (json_array_size(refunds)) {
		PDF_TRY(pdf_doc_gap(pdf, 10));
		PDF_TRY(pdf_doc_text(pdf, PDF_HEADING, "Refunds"));
		PDF_TRY(pdf_doc_table(pdf, refund_cols, 4));
		json_array_foreach(refunds, i, row)
		{
			struct money amount = money(doc, num(row, "amount_cents"));
			struct day date = day(str(row, "refund_date"));
			struct word state = label_of(str(row, "status"));
			const char *cells[] = {date.text, str(row, "reason"), state.text,
			                       amount.text};

			PDF_TRY(pdf_doc_row(pdf, cells));
		}
		pdf_doc_table_end(pdf);
	}
out:
	return rc;
}

int portal_documents_payment_pdf(unsigned char **out, size_t *len, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "payment");
	struct pdf_doc *pdf = NULL;
	int rc;

	*out = NULL;
	*len = 0;
	rc = portal_documents_open(&pdf, doc, "Payment receipt");
	if (rc != CS_OK)
		return rc;
	PDF_TRY(portal_documents_head(pdf, doc, "Payment receipt"));
	PDF_TRY(pdf_doc_gap(pdf, 6));
	PDF_TRY(pdf_doc_field(pdf, "Payment date", day(str(p, "payment_date")).text));
	/* As the receipt email names it; a check or cash payment by its method. */
	PDF_TRY(pdf_doc_field(pdf, "Method",
	                      str(p, "method_label") ? str(p, "method_label")
	                                             : label_of(str(p, "method")).text));
	PDF_TRY(pdf_doc_field(pdf, "Reference", str(p, "reference_number")));
	PDF_TRY(pdf_doc_field(pdf, "Status", label_of(str(p, "status")).text));
	PDF_TRY(pdf_doc_field(pdf, "Amount", money(doc, num(p, "amount_cents")).text));
	PDF_TRY(pdf_doc_field(pdf, "Applied", money(doc, num(p, "applied_cents")).text));
	PDF_TRY(pdf_doc_field(pdf, "Refunded", money(doc, num(p, "refunded_cents")).text));
	PDF_TRY(pdf_doc_field(pdf, "Unapplied", money(doc, num(p, "unapplied_cents")).text));
	PDF_TRY(payment_tables(pdf, doc, p));
out:
	return finish(out, len, pdf, rc);
}
