#include "portal_orders/portal_orders_service.h"

#include "db/json_rows.h"
#include "db/query.h"
#include "portal/portal_rows.h"

/*
 * One page of orders as plain columns (order_shape writes the JSON), newest service date first,
 * keyed by (service_date, id) descending. $1 tenant, $2 account, $3/$4 the cursor (or the
 * first-page sentinels), $5 page size, $6 from, $7 to, $8 location (NULL for none), $9 status
 * (the status variants only). Read one row more than the page, which says whether another follows.
 *
 * `to` is folded into the keyset start (the lesser of the cursor and "before to + 1 day") and
 * `from` is the scan's stop bound, so the range stays in the index condition of a generic plan
 * instead of being a filter. Each filter combination is its own statement, so each gets a plan
 * on its index (orders_customer_idx, orders_portal_status_idx, orders_portal_location_idx) that
 * stops after one page. portal_location_filter() takes no column: it runs once, before any row,
 * and answers 422 for a location that is not the account's even when it has no order at all; a
 * list without a location says $8 IS NULL instead, which costs nothing.
 */
#define SQL_ORDER_PAGE(name, location, filter)                                                     \
	DB_STMT(name,                                                                              \
	        "SELECT o.id, o.number, o.type, o.service_date, o.service, "                       \
	        "o.status, " PORTAL_LOCATION_SQL ", o.asset_id, o.description, o.amount_cents, "   \
	        "o.service_request_id "                                                            \
	        "FROM orders o LEFT JOIN locations l ON l.tenant_id = o.tenant_id AND l.id = "     \
	        "o.location_id WHERE o.tenant_id = $1 AND o.customer_id = $2" filter " AND "       \
	        "(o.service_date, o.id) < (least($3::date, $7::date + 1), CASE WHEN $7::date + 1 " \
	        "<= $3::date THEN '" CURSOR_NIL_ID "'::uuid ELSE $4::uuid END) AND "               \
	        "o.service_date >= coalesce($6::date, '-infinity') AND " location " ORDER BY "     \
	        "o.service_date DESC, o.id DESC LIMIT $5::int + 1")

#define SQL_ANYWHERE    "$8::uuid IS NULL"
#define SQL_AT_LOCATION "portal_location_filter($1, $2, $8::uuid)"
#define SQL_IN_LOCATION " AND o.location_id = $8::uuid"
#define SQL_OF_STATUS   " AND o.status = $9"

/* [status given][location given] */
static struct db_stmt order_pages[2][2] = {
        {SQL_ORDER_PAGE("portal_orders", SQL_ANYWHERE, ""),
         SQL_ORDER_PAGE("portal_orders_at", SQL_AT_LOCATION, SQL_IN_LOCATION)},
        {SQL_ORDER_PAGE("portal_orders_status", SQL_ANYWHERE, SQL_OF_STATUS),
         SQL_ORDER_PAGE("portal_orders_status_at", SQL_AT_LOCATION, SQL_OF_STATUS SQL_IN_LOCATION)},
};

/* An item of the list (rule 14), column by column in the statements' order. */
/* clang-format off */
static const struct json_column order_columns[] = {
        {"id", COL_STRING},
        {"number", COL_STRING},
        {"type", COL_STRING},
        {"service_date", COL_STRING},
        {"service", COL_STRING},
        {"status", COL_STRING},
        PORTAL_LOCATION_COLUMNS,
        {"asset_id", COL_STRING},
        {"description", COL_STRING},
        {"amount_cents", COL_NUMBER},
        {"service_request_id", COL_STRING},
};
/* clang-format on */
static const struct json_shape order_shape = JSON_SHAPE(order_columns);

/* The cursor is the last item's service date and id. */
static const struct json_page_keys order_keys = {.key_column = 3, .id_column = 0};

static struct db_stmt get_stmt =
        DB_STMT("portal_orders_get", "SELECT portal_order_json(o)::text FROM orders o "
                                     "WHERE o.tenant_id = $1 AND o.customer_id = $2 AND o.id = $3");

int portal_orders_list(char **out, struct db_pool *db, const struct principal *who,
                       const struct portal_order_filter *filter, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {who->tenant_id,
	                        who->account_id,
	                        key,
	                        id,
	                        page->limit,
	                        filter->service_date.from,
	                        filter->service_date.to,
	                        filter->location_id,
	                        filter->status};
	struct db_stmt *stmt = &order_pages[filter->status != NULL][filter->location_id != NULL];
	/* The status, last ($9), is a value of the status statements only. */
	int nparams = DB_COUNT(params) - (filter->status == NULL);
	return db_query_page(out, db, stmt, params, nparams, &order_shape, page->size, order_keys);
}

int portal_orders_get(char **out, struct db_pool *db, const struct principal *who,
                      const char *order_id)
{
	const char *params[] = {who->tenant_id, who->account_id, order_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "order");
}
