#include <stdio.h>
#include <string.h>

#include "pdf/pdf_doc.h"
#include "portal_documents/portal_documents_render.h"
#include "statements/statements_render.h"

struct cell {
	char text[48];
};

static struct cell money(const struct statement_view *v, int64_t cents)
{
	struct cell c;

	portal_documents_money(c.text, sizeof(c.text), v->doc, (json_int_t)cents);
	return c;
}

static struct cell day(const char *iso)
{
	struct cell c;

	portal_documents_day(c.text, sizeof(c.text), iso);
	return c;
}

static const char *doc_text(const struct statement_view *v, const char *key)
{
	return json_string_value(json_object_get(v->doc, key));
}

static const struct pdf_column movement_cols[] = {
        {"Date", 0.14f, PDF_LEFT},      {"Type", 0.10f, PDF_LEFT},
        {"Reference", 0.14f, PDF_LEFT}, {"Description", 0.32f, PDF_LEFT},
        {"Amount", 0.15f, PDF_RIGHT},   {"Balance", 0.15f, PDF_RIGHT},
};

static const struct pdf_column aging_cols[] = {
        {"Current", 0.18f, PDF_RIGHT},      {"1-30 days", 0.16f, PDF_RIGHT},
        {"31-60 days", 0.16f, PDF_RIGHT},   {"61-90 days", 0.16f, PDF_RIGHT},
        {"Over 90 days", 0.16f, PDF_RIGHT}, {"Total", 0.18f, PDF_RIGHT},
};

static int period(struct pdf_doc *pdf, const struct statement_view *v)
{
	const json_t *loc = json_object_get(v->doc, "location");
	const char *where = json_string_value(json_object_get(loc, "address_line"));
	char text[112];
	int rc;

	if (loc && !where)
		where = json_string_value(json_object_get(loc, "name"));
	PDF_TRY(pdf_doc_field(pdf, "Service location", where));
	snprintf(text, sizeof(text), "%s to %s", day(doc_text(v, "from")).text,
	         day(doc_text(v, "to")).text);
	PDF_TRY(pdf_doc_field(pdf, "Period", text));
	PDF_TRY(pdf_doc_field(pdf, "Opening balance", money(v, v->st.opening_cents).text));
out:
	return rc;
}

static int movements(struct pdf_doc *pdf, const struct statement_view *v)
{
	int rc;

	PDF_TRY(pdf_doc_gap(pdf, 10));
	PDF_TRY(pdf_doc_table(pdf, movement_cols, 6));
	for (size_t i = 0; i < v->st.n_movements; i++) {
		struct cell date = day(statement_view_text(v, i, 0));
		struct cell amount = money(v, v->amounts[i]);
		struct cell balance = money(v, v->balances[i]);
		const char *cells[] = {date.text,
		                       statement_view_text(v, i, 1),
		                       statement_view_text(v, i, 3),
		                       statement_view_text(v, i, 4),
		                       amount.text,
		                       balance.text};

		PDF_TRY(pdf_doc_row(pdf, cells));
	}
	if (!v->st.n_movements) {
		const char *none[] = {NULL, NULL, NULL, "No transactions in this period.",
		                      NULL, NULL};

		PDF_TRY(pdf_doc_row(pdf, none));
	}
	pdf_doc_table_end(pdf);
out:
	return rc;
}

static int totals(struct pdf_doc *pdf, const struct statement_view *v)
{
	const struct statement *st = &v->st;
	struct cell b[STATEMENT_BUCKETS + 1];
	int rc;

	PDF_TRY(pdf_doc_rule(pdf));
	/* The dashboard's words (issue 17); the net balance is the closing running balance. */
	PDF_TRY(pdf_doc_field(pdf, "Outstanding balance", money(v, st->aging_total_cents).text));
	PDF_TRY(pdf_doc_field(pdf, "Available credit", money(v, st->unapplied_cents).text));
	PDF_TRY(pdf_doc_field(pdf, "Net balance", money(v, st->closing_cents).text));
	PDF_TRY(pdf_doc_gap(pdf, 10));
	PDF_TRY(pdf_doc_text(pdf, PDF_HEADING, "Aging (invoices, by days past due)"));
	for (int i = 0; i < STATEMENT_BUCKETS; i++)
		b[i] = money(v, st->aging[i]);
	b[STATEMENT_BUCKETS] = money(v, st->aging_total_cents);
	const char *cells[] = {b[0].text, b[1].text, b[2].text, b[3].text, b[4].text, b[5].text};

	PDF_TRY(pdf_doc_table(pdf, aging_cols, 6));
	PDF_TRY(pdf_doc_row(pdf, cells));
	pdf_doc_table_end(pdf);
out:
	return rc;
}

int statements_render_pdf(unsigned char **out, size_t *len, const struct statement_view *v)
{
	struct pdf_doc *pdf = NULL;
	int rc;

	*out = NULL;
	*len = 0;
	rc = portal_documents_open(&pdf, v->doc, "Statement");
	if (rc != CS_OK)
		return rc;
	PDF_TRY(portal_documents_head(pdf, v->doc, "Statement"));
	PDF_TRY(period(pdf, v));
	PDF_TRY(movements(pdf, v));
	PDF_TRY(totals(pdf, v));
	rc = pdf_doc_render(out, len, pdf);
out:
	pdf_doc_free(pdf);
	return rc;
}
