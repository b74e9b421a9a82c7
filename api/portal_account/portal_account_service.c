#include "portal_account/portal_account_service.h"

#include "db/page_sql.h"
#include "db/query.h"

static struct db_stmt account_stmt =
        DB_STMT("portal_account_read", "SELECT portal_account_json(c)::text FROM customers c "
                                       "WHERE c.tenant_id = $1 AND c.id = $2");

/*
 * Locations and services in the order they were added, keyed by (created_at, id) on the
 * (tenant_id, customer_id, created_at, id) index of each table; inactive rows are skipped in the
 * same range scan (an account has a handful of them). The account exists (the session checked
 * it), so an empty page simply means nothing to show.
 */
static struct db_stmt locations_stmt = DB_STMT(
        "portal_locations_list",
        SQL_KEYSET_PAGE("SELECT r FROM locations r WHERE r.tenant_id = $1 AND r.customer_id = $2 "
                        "AND r.active AND (r.created_at, r.id) > ($3::timestamptz, $4::uuid) "
                        "ORDER BY r.created_at, r.id LIMIT $5::int + 1",
                        "portal_location_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                        "(s.r).created_at, (s.r).id", "$5"));

static struct db_stmt services_stmt = DB_STMT(
        "portal_services_list",
        SQL_KEYSET_PAGE("SELECT r FROM services r WHERE r.tenant_id = $1 AND r.customer_id = $2 "
                        "AND r.active AND (r.created_at, r.id) > ($3::timestamptz, $4::uuid) "
                        "ORDER BY r.created_at, r.id LIMIT $5::int + 1",
                        "portal_service_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                        "(s.r).created_at, (s.r).id", "$5"));

int portal_account_read(char **out, struct db_pool *db, const struct principal *who)
{
	const char *params[] = {who->tenant_id, who->account_id};

	return db_query_found(out, db, &account_stmt, DB_PARAMS(params), "customer account");
}

/* A page of `stmt` over the account, oldest first. */
static int oldest_first_page(char **out, struct db_pool *db, struct db_stmt *stmt,
                             const struct principal *who, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_BEFORE_ALL_INSTANTS, CURSOR_NIL_ID);
	const char *params[] = {who->tenant_id, who->account_id, key, id, page->limit};
	return db_query_found(out, db, stmt, DB_PARAMS(params), "customer account");
}

int portal_locations_list(char **out, struct db_pool *db, const struct principal *who,
                          const struct list_params *page)
{
	return oldest_first_page(out, db, &locations_stmt, who, page);
}

int portal_services_list(char **out, struct db_pool *db, const struct principal *who,
                         const struct list_params *page)
{
	return oldest_first_page(out, db, &services_stmt, who, page);
}
