#include "statements/statements_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/query.h"
#include "pdf/pdf_text.h"
#include "statements/statements_render.h"

static struct db_stmt statement_stmt = DB_STMT(
        "portal_statement", "SELECT * FROM statement_rows($1, $2, $3::uuid, $4::date, $5::date)");

static struct db_stmt logo_stmt = DB_STMT("statement_logo", "SELECT document_logo_json($1)::text");

/* The PDF prints the hauler's logo, which the statement's JSON does not carry: its bytes join
 * the document's hauler for the PDF only (issue 22). */
static int add_logo(json_t *doc, struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};
	char *text = NULL;
	int rc = db_query_text(&text, db, &logo_stmt, DB_PARAMS(params));
	json_t *logo = rc == CS_OK && text ? json_loads(text, 0, NULL) : NULL;

	if (logo)
		json_object_set_new(json_object_get(doc, "hauler"), "logo", logo);
	free(text);
	return rc;
}

void statement_file_clear(struct statement_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* "statement-<account>-<from>-<to>.<ext>" with the account number reduced to safe bytes. */
static void name_file(struct statement_file *out, const json_t *doc, const char *ext)
{
	char account[64];

	pdf_text_filename(account, sizeof(account),
	                  json_string_value(json_object_get(json_object_get(doc, "customer"),
	                                                    "account_number")));
	snprintf(out->filename, sizeof(out->filename), "statement-%s-%s-%s.%s", account,
	         json_string_value(json_object_get(doc, "from")),
	         json_string_value(json_object_get(doc, "to")), ext);
}

static int render(struct statement_file *out, const struct statement_view *v,
                  enum statement_format format)
{
	switch (format) {
	case STATEMENT_PDF:
		out->content_type = "application/pdf";
		name_file(out, v->doc, "pdf");
		return statements_render_pdf((unsigned char **)&out->data, &out->len, v);
	case STATEMENT_CSV:
		out->content_type = "text/csv; charset=utf-8";
		name_file(out, v->doc, "csv");
		return statements_render_csv(&out->data, &out->len, v);
	case STATEMENT_JSON:
		break;
	}
	out->content_type = "application/json; charset=utf-8";
	return statements_render_json(&out->data, &out->len, v);
}

int statements_produce(struct statement_file *out, struct db_pool *db, const char *tenant_id,
                       const char *customer_id, const struct statement_query *q)
{
	const char *params[] = {tenant_id, customer_id, q->location_id, q->from, q->to};
	struct statement_view v;
	PGresult *rows = NULL;
	json_t *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_query_result(&rows, db, &statement_stmt, DB_PARAMS(params));
	if (rc != CS_OK)
		return rc;
	doc = PQntuples(rows) > 0 ? json_loads(PQgetvalue(rows, 0, 0), 0, NULL) : NULL;
	if (!doc) {
		PQclear(rows);
		return cs_error_set(CS_EINTERNAL, NULL, "The statement could not be read.");
	}
	rc = q->format == STATEMENT_PDF ? add_logo(doc, db, tenant_id) : CS_OK;
	if (rc == CS_OK)
		rc = statement_view_load(&v, doc, rows);
	if (rc == CS_OK && !statement_check(&v.st))
		LOG_ERROR("statement of an account does not add up (closing %lld, aging %lld, "
		          "unapplied %lld)",
		          (long long)v.st.closing_cents, (long long)v.st.aging_total_cents,
		          (long long)v.st.unapplied_cents);
	if (rc == CS_OK)
		rc = render(out, &v, q->format);
	if (rc != CS_OK)
		statement_file_clear(out);
	statement_view_clear(&v);
	json_decref(doc);
	PQclear(rows);
	return rc;
}
