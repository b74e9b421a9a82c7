#include "portal_invoices/portal_invoices_routes.h"

#include <string.h>

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reads.h"
#include "http/reply.h"
#include "portal/portal_filters.h"
#include "portal/portal_serve.h"
#include "portal_invoices/portal_invoices_service.h"

static const char *const invoice_filters[] = {"status", "from", "to", "location_id", NULL};

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

static enum portal_invoice_status status_of(const char *value)
{
	for (int i = 0; value && portal_invoice_statuses[i]; i++)
		if (!strcmp(value, portal_invoice_statuses[i]))
			return (enum portal_invoice_status)i;
	return PORTAL_INVOICES_ALL;
}

/* Every filter is checked and every problem reported at once, with the messages of the other
 * portal lists (portal/portal_filters.h); whether the location is the account's is the
 * database's answer (422 on location_id too). */
static void invoice_query(struct portal_invoice_query *q, struct field_errors *errs,
                          const struct http_ctx *ctx)
{
	const char *status = http_query_enum(errs, ctx, "status", portal_invoice_statuses,
	                                     "Must be open, paid, past_due, pending or all.");
	struct portal_date_range dates;

	q->status = status_of(status);
	portal_query_date_range(&dates, errs, ctx);
	q->from = dates.from;
	q->to = dates.to;
	q->location_id = portal_query_location(errs, ctx);
}

static int list_invoices(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct portal_invoice_query q;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, invoice_filters);
	invoice_query(&q, &errs, ctx);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = portal_invoices_list(&json, http_db_for_read(ctx), ctx->principal.tenant_id,
	                              ACCOUNT(ctx), &q, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_invoice(struct http_ctx *ctx)
{
	return portal_serve_read(ctx, "invoice", portal_invoices_read);
}

static int get_invoice_pdf(struct http_ctx *ctx)
{
	return portal_serve_document(ctx, "invoice", portal_documents_invoice);
}

static const struct route portal_invoices_routes[] = {
        {"GET", "/v1/portal/invoices", AUTH_PORTAL_ACCOUNT, list_invoices},
        {"GET", "/v1/portal/invoices/:id", AUTH_PORTAL_ACCOUNT, get_invoice},
        {"GET", "/v1/portal/invoices/:id/pdf", AUTH_PORTAL_ACCOUNT, get_invoice_pdf},
};

const struct route_table portal_invoices_route_table =
        ROUTE_TABLE("portal_invoices", portal_invoices_routes);
