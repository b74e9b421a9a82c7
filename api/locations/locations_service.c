#include "locations/locations_service.h"

#include <string.h>

#include "core/validate.h"
#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's locations, oldest first, keyed by (created_at, id) on locations_customer_idx. The
 * cursor carries created_at as UTC text with microseconds, so it parses back to the exact instant.
 * HAVING answers no row at all (→ 404) when the tenant has no such customer, and an empty page when
 * the customer simply has no location yet.
 */
static struct db_stmt list_stmt = DB_STMT(
        "locations_list",
        SQL_CUSTOMER_KEYSET_PAGE("SELECT r FROM locations r WHERE r.tenant_id = $1 AND "
                                 "r.customer_id = $2 AND (r.created_at, r.id) > ($3::timestamptz, "
                                 "$4::uuid) ORDER BY r.created_at, r.id LIMIT $5::int + 1",
                                 "location_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                                 "(s.r).created_at, (s.r).id", "$5"));

static struct db_stmt get_stmt = DB_STMT(
        "locations_get",
        "SELECT location_json(l)::text FROM locations l WHERE l.tenant_id = $1 AND l.id = $2");

static struct db_stmt create_stmt =
        DB_STMT("locations_create", "SELECT location_create($1, $2, $3::jsonb)");

static struct db_stmt update_stmt =
        DB_STMT("locations_update", "SELECT location_update($1, $2, $3::jsonb)");

int locations_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                   const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_BEFORE_ALL_INSTANTS, CURSOR_NIL_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int locations_get(char **out, struct db_pool *db, const char *tenant_id, const char *location_id)
{
	const char *params[] = {tenant_id, location_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "service location");
}

int locations_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                     const json_t *body)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &create_stmt, DB_PARAMS(params), body);
}

int locations_update(char **out, struct db_pool *db, const char *tenant_id, const char *location_id,
                     const json_t *patch)
{
	const char *params[] = {tenant_id, location_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}
