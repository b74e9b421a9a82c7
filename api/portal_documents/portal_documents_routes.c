#include "portal_documents/portal_documents_routes.h"

#include <stdio.h>

#include "http/params.h"
#include "http/reply.h"
#include "portal_documents/portal_documents_service.h"

typedef int (*document_fn)(struct portal_document *out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const char *id);

/* One document of the selected account by the id in the path, as a download. The file name was
 * reduced to [A-Za-z0-9._-] by the service, so it needs no quoting beyond the quotes. */
static int serve(struct http_ctx *ctx, const char *what, document_fn produce)
{
	const char *id = http_path_id(ctx, "id", what);
	struct portal_document doc;
	char disposition[200];

	if (!id)
		return CS_ENOTFOUND;
	int rc = produce(&doc, ctx->app->db, ctx->principal.tenant_id, ctx->principal.account_id,
	                 id);

	if (rc != CS_OK)
		return rc;
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", doc.filename);
	http_set_header(ctx, "Content-Disposition", disposition);
	rc = http_reply_raw(ctx, 200, "application/pdf", (const char *)doc.data, doc.len);
	portal_document_clear(&doc);
	return rc;
}

static int get_invoice_pdf(struct http_ctx *ctx)
{
	return serve(ctx, "invoice", portal_documents_invoice);
}

static int get_order_receipt(struct http_ctx *ctx)
{
	return serve(ctx, "order", portal_documents_order);
}

static int get_payment_receipt(struct http_ctx *ctx)
{
	return serve(ctx, "payment", portal_documents_payment);
}

static const struct route portal_documents_routes[] = {
        {"GET", "/v1/portal/invoices/:id/pdf", AUTH_PORTAL_ACCOUNT, get_invoice_pdf},
        {"GET", "/v1/portal/orders/:id/receipt", AUTH_PORTAL_ACCOUNT, get_order_receipt},
        {"GET", "/v1/portal/payments/:id/receipt", AUTH_PORTAL_ACCOUNT, get_payment_receipt},
};

const struct route_table portal_documents_route_table =
        ROUTE_TABLE("portal_documents", portal_documents_routes);
