#include "orders/orders_service.h"

#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's orders, newest service date first, keyed by (service_date, id) descending on
 * orders_customer_idx. The first page starts before ('infinity', the greatest uuid), so one plan
 * serves every page; HAVING answers no row at all (→ 404) when the tenant has no such customer.
 */
static struct db_stmt list_stmt = DB_STMT(
        "orders_list",
        SQL_CUSTOMER_KEYSET_PAGE(
                "SELECT r FROM orders r WHERE r.tenant_id = $1 AND r.customer_id = $2 AND "
                "($6::text IS NULL OR r.status = $6) AND ($7::text IS NULL OR r.type = $7) AND "
                "(r.service_date, r.id) < ($3::date, $4::uuid) ORDER BY r.service_date DESC, r.id "
                "DESC LIMIT $5::int + 1",
                "order_json", "(s.r).service_date", "(s.r).service_date DESC, (s.r).id DESC",
                "$5"));

static struct db_stmt get_stmt =
        DB_STMT("orders_get",
                "SELECT order_json(o)::text FROM orders o WHERE o.tenant_id = $1 AND o.id = $2");

static struct db_stmt create_stmt =
        DB_STMT("orders_create", "SELECT order_create($1, $2, $3::jsonb)");

static struct db_stmt update_stmt =
        DB_STMT("orders_update", "SELECT order_update($1, $2, $3::jsonb)");

int orders_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                const struct order_filter *filter, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id,   customer_id,    key,         id,
	                        page->limit, filter->status, filter->type};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int orders_get(char **out, struct db_pool *db, const char *tenant_id, const char *order_id)
{
	const char *params[] = {tenant_id, order_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "order");
}

int orders_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const json_t *body)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &create_stmt, DB_PARAMS(params), body);
}

int orders_update(char **out, struct db_pool *db, const char *tenant_id, const char *order_id,
                  const json_t *patch)
{
	const char *params[] = {tenant_id, order_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}
