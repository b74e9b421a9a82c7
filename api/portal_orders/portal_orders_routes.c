#include "portal_orders/portal_orders_routes.h"

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reads.h"
#include "http/reply.h"
#include "portal/portal_filters.h"
#include "portal/portal_serve.h"
#include "portal_orders/portal_orders_service.h"

static const char *const order_statuses[] = {"pending",   "scheduled", "in_progress",
                                             "completed", "cancelled", NULL};

static const char *const list_filters[] = {"status", "from", "to", "location_id", NULL};

static int list_orders(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct portal_order_filter filter;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, list_filters);
	filter.status =
	        http_query_enum(&errs, ctx, "status", order_statuses,
	                        "Must be pending, scheduled, in_progress, completed or cancelled.");
	portal_query_date_range(&filter.service_date, &errs, ctx);
	filter.location_id = portal_query_location(&errs, ctx);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = portal_orders_list(&json, http_db_for_read(ctx), &ctx->principal, &filter, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_order(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "order");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_orders_get(&json, http_db_for_read(ctx), &ctx->principal, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_order_receipt(struct http_ctx *ctx)
{
	return portal_serve_document(ctx, "order", portal_documents_order);
}

static const struct route portal_orders_routes[] = {
        {"GET", "/v1/portal/orders", AUTH_PORTAL_ACCOUNT, list_orders},
        {"GET", "/v1/portal/orders/:id", AUTH_PORTAL_ACCOUNT, get_order},
        {"GET", "/v1/portal/orders/:id/receipt", AUTH_PORTAL_ACCOUNT, get_order_receipt},
};

const struct route_table portal_orders_route_table =
        ROUTE_TABLE("portal_orders", portal_orders_routes);
