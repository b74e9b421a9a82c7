#include "portal_billing/portal_billing_routes.h"

#include <string.h>

#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "portal_billing/portal_billing_service.h"
#include "portal_views/portal_filters.h"

static const char *const invoice_filters[] = {"status", "from", "to", "location_id", NULL};

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

static enum portal_billing_invoice_status status_of(const char *value)
{
	for (int i = 0; value && portal_billing_invoice_statuses[i]; i++)
		if (!strcmp(value, portal_billing_invoice_statuses[i]))
			return (enum portal_billing_invoice_status)i;
	return PORTAL_BILLING_ALL;
}

/* Every filter is checked and every problem reported at once, with the messages of the other
 * portal lists (portal_views/portal_filters.h); whether the location is the account's is the
 * database's answer (422 on location_id too). */
static void invoice_query(struct portal_billing_invoice_query *q, struct field_errors *errs,
                          const struct http_ctx *ctx)
{
	const char *status = http_query_enum(errs, ctx, "status", portal_billing_invoice_statuses,
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
	struct portal_billing_invoice_query q;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, invoice_filters);
	invoice_query(&q, &errs, ctx);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = portal_billing_invoices(&json, ctx->app->db, ctx->principal.tenant_id,
	                                 ACCOUNT(ctx), &q, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* A list of the account that takes paging only. */
typedef int (*account_list_fn)(char **out, struct db_pool *db, const char *tenant_id,
                               const char *customer_id, const struct list_params *page);

static int serve_account_list(struct http_ctx *ctx, account_list_fn list)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = list(&json, ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx), &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* One object of the account by the id in the path (a malformed id is simply not found). */
typedef int (*account_read_fn)(char **out, struct db_pool *db, const char *tenant_id,
                               const char *customer_id, const char *id);

static int serve_account_read(struct http_ctx *ctx, const char *what, account_read_fn read)
{
	const char *id = http_path_id(ctx, "id", what);
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = read(&json, ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx), id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_dashboard(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = portal_billing_dashboard(&json, ctx->app->db, ctx->principal.tenant_id,
	                                  ACCOUNT(ctx));

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_invoice(struct http_ctx *ctx)
{
	return serve_account_read(ctx, "invoice", portal_billing_invoice);
}

static int list_payments(struct http_ctx *ctx)
{
	return serve_account_list(ctx, portal_billing_payments);
}

static int get_payment(struct http_ctx *ctx)
{
	return serve_account_read(ctx, "payment", portal_billing_payment);
}

static int list_credits(struct http_ctx *ctx)
{
	return serve_account_list(ctx, portal_billing_credits);
}

static const struct route portal_billing_routes[] = {
        {"GET", "/v1/portal/dashboard", AUTH_PORTAL_ACCOUNT, get_dashboard},
        {"GET", "/v1/portal/invoices", AUTH_PORTAL_ACCOUNT, list_invoices},
        {"GET", "/v1/portal/invoices/:id", AUTH_PORTAL_ACCOUNT, get_invoice},
        {"GET", "/v1/portal/payments", AUTH_PORTAL_ACCOUNT, list_payments},
        {"GET", "/v1/portal/payments/:id", AUTH_PORTAL_ACCOUNT, get_payment},
        {"GET", "/v1/portal/credits", AUTH_PORTAL_ACCOUNT, list_credits},
};

const struct route_table portal_billing_route_table =
        ROUTE_TABLE("portal_billing", portal_billing_routes);
