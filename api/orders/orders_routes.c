#include "orders/orders_routes.h"

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "orders/orders_service.h"

static const char *const order_types[] = {"dumpster", "live_load", "minis", "pickup", "hold", NULL};
static const char *const order_statuses[] = {"pending",   "scheduled", "in_progress",
                                             "completed", "cancelled", NULL};

#define TYPE_SENTENCE   "Must be dumpster, live_load, minis, pickup or hold."
#define STATUS_SENTENCE "Must be pending, scheduled, in_progress, completed or cancelled."

static bool check_type(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, order_types, code, message, TYPE_SENTENCE);
}

static bool check_status(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, order_statuses, code, message, STATUS_SENTENCE);
}

/* Fields of both create and update; `required` marks what a new order must have. */
#define ORDER_FIELDS(required)                                                                     \
	FIELD_TEXT("number", required, 1, 40), FIELD_FORMAT("type", required, check_type),         \
	        FIELD_DATE("service_date", required), FIELD_TEXT("service", required, 1, 200),     \
	        FIELD_FORMAT("status", 0, check_status),                                           \
	        FIELD_UUID("location_id", FIELD_NULLABLE),                                         \
	        FIELD_TEXT("asset_id", FIELD_NULLABLE, 1, 40),                                     \
	        FIELD_TEXT_CHECKED("description", FIELD_NULLABLE, 1, 1000,                         \
	                           field_check_plain_text),                                        \
	        FIELD_CENTS("amount_cents", 0, 0)

static const struct field_spec create_fields[] = {ORDER_FIELDS(FIELD_REQUIRED), FIELDS_END};
static const struct field_spec update_fields[] = {ORDER_FIELDS(0), FIELDS_END};

static const char *const list_filters[] = {"status", "type", NULL};

static const struct resource_kind order_kind = {"order", "/v1/admin/orders/"};

static int list_orders(struct http_ctx *ctx)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	struct order_filter filter;
	char *json = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, list_filters);
	filter.status = http_query_enum(&errs, ctx, "status", order_statuses, STATUS_SENTENCE);
	filter.type = http_query_enum(&errs, ctx, "type", order_types, TYPE_SENTENCE);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = orders_list(&json, ctx->app->db, ctx->principal.tenant_id, customer_id, &filter,
	                     &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_order(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &order_kind, orders_get);
}

static int create_order(struct http_ctx *ctx)
{
	return http_serve_create(ctx, &order_kind, create_fields, orders_create);
}

static int update_order(struct http_ctx *ctx)
{
	return http_serve_update(ctx, &order_kind, update_fields, orders_update);
}

static const struct route orders_routes[] = {
        {"GET", "/v1/admin/customers/:id/orders", AUTH_BACK_OFFICE, list_orders},
        {"POST", "/v1/admin/customers/:id/orders", AUTH_BACK_OFFICE, create_order},
        {"GET", "/v1/admin/orders/:id", AUTH_BACK_OFFICE, get_order},
        {"PATCH", "/v1/admin/orders/:id", AUTH_BACK_OFFICE, update_order},
};

const struct route_table orders_route_table = ROUTE_TABLE("orders", orders_routes);
