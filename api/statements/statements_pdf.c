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

/* Date, type, reference and the amounts are as wide as their widest cell (a reference never
 * breaks); the description takes the rest. */
static const struct pdf_column movement_cols[] = {
        {"Date", 0, PDF_LEFT},        {"Type", 0, PDF_LEFT},    {"Reference", 0, PDF_LEFT},
        {"Description", 1, PDF_LEFT}, {"Amount", 0, PDF_RIGHT}, {"Balance", 0, PDF_RIGHT},
};

enum { N_MOVEMENT_COLS = sizeof(movement_cols) / sizeof(movement_cols[0]) };

/* The words a customer reads for statement_account_movements' types. */
static const char *type_label(const char *type)
{
	/* clang-format off */
	static const char *const labels[][2] = {
		{"invoice", "Invoice"}, {"payment", "Payment"},
		{"credit", "Credit"},   {"refund", "Refund"},
	};
	/* clang-format on */

	for (size_t i = 0; type && i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(type, labels[i][0]))
			return labels[i][1];
	return type;
}

/* A movement's description for the PDF: an invoice's, "Invoice INV-1, due 2026-12-01" as
 * statement_account_movements writes it, becomes "Due Dec 1, 2026" in `buf` (the type and
 * reference columns already say the rest, and the documents write dates so); any other as it is.
 */
static const char *describe(char *buf, size_t cap, const char *text)
{
	static const char due[] = ", due ";
	const size_t due_len = sizeof(due) - 1, date_len = 10;
	size_t len = text ? strlen(text) : 0;
	int y, m, dd;
	char end;

	if (len < due_len + date_len || len >= cap)
		return text;
	const char *tail = text + len - date_len;

	if (strncmp(text, "Invoice ", 8) || strncmp(tail - due_len, due, due_len) ||
	    sscanf(tail, "%4d-%2d-%2d%c", &y, &m, &dd, &end) != 3)
		return text;
	snprintf(buf, cap, "Due %s", day(tail).text);
	return buf;
}

/* The cells of movement `i`. */
struct movement {
	struct cell date, amount, balance;
	char description[256];
	const char *cells[N_MOVEMENT_COLS];
};

static void movement_of(struct movement *m, const struct statement_view *v, size_t i)
{
	m->date = day(statement_view_text(v, i, 0));
	m->amount = money(v, v->amounts[i]);
	m->balance = money(v, v->balances[i]);
	m->cells[0] = m->date.text;
	m->cells[1] = type_label(statement_view_text(v, i, 1));
	m->cells[2] = statement_view_text(v, i, 3);
	m->cells[3] =
	        describe(m->description, sizeof(m->description), statement_view_text(v, i, 4));
	m->cells[4] = m->amount.text;
	m->cells[5] = m->balance.text;
}

/* The widest cell of each sized column (0 for the description, which takes the rest). */
static void content_widths(float *widths, struct pdf_doc *pdf, const struct statement_view *v)
{
	struct movement m;

	for (size_t c = 0; c < N_MOVEMENT_COLS; c++)
		widths[c] = 0;
	for (size_t i = 0; i < v->st.n_movements; i++) {
		movement_of(&m, v, i);
		for (size_t c = 0; c < N_MOVEMENT_COLS; c++) {
			float w = movement_cols[c].share > 0
			                  ? 0
			                  : pdf_doc_width(pdf, PDF_BODY, m.cells[c]);

			if (w > widths[c])
				widths[c] = w;
		}
	}
}

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
	float widths[N_MOVEMENT_COLS];
	struct movement m;
	int rc;

	PDF_TRY(pdf_doc_gap(pdf, 10));
	content_widths(widths, pdf, v);
	PDF_TRY(pdf_doc_table_sized(pdf, movement_cols, N_MOVEMENT_COLS, widths));
	for (size_t i = 0; i < v->st.n_movements; i++) {
		movement_of(&m, v, i);
		PDF_TRY(pdf_doc_row(pdf, m.cells));
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
