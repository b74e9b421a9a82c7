#include "services/services_service.h"

#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's services, oldest first, keyed by (created_at, id) on services_customer_idx; the same
 * paging as the location list (see locations_service.c), 404 through HAVING for another tenant's
 * customer.
 */
static struct db_stmt list_stmt = DB_STMT(
        "services_list",
        SQL_CUSTOMER_KEYSET_PAGE("SELECT r FROM services r WHERE r.tenant_id = $1 AND "
                                 "r.customer_id = $2 AND (r.created_at, r.id) > ($3::timestamptz, "
                                 "$4::uuid) ORDER BY r.created_at, r.id LIMIT $5::int + 1",
                                 "service_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                                 "(s.r).created_at, (s.r).id", "$5"));

static struct db_stmt get_stmt = DB_STMT(
        "services_get",
        "SELECT service_json(v)::text FROM services v WHERE v.tenant_id = $1 AND v.id = $2");

static struct db_stmt create_stmt =
        DB_STMT("services_create", "SELECT service_create($1, $2, $3::jsonb)");

static struct db_stmt update_stmt =
        DB_STMT("services_update", "SELECT service_update($1, $2, $3::jsonb)");

int services_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_BEFORE_ALL_INSTANTS, CURSOR_NIL_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int services_get(char **out, struct db_pool *db, const char *tenant_id, const char *service_id)
{
	const char *params[] = {tenant_id, service_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "service");
}

int services_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                    const json_t *body)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &create_stmt, DB_PARAMS(params), body);
}

int services_update(char **out, struct db_pool *db, const char *tenant_id, const char *service_id,
                    const json_t *patch)
{
	const char *params[] = {tenant_id, service_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}
