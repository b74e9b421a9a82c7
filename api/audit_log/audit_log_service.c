#include "audit_log/audit_log_service.h"

#include "db/page_sql.h"
#include "db/query.h"

/* Where a day starts: the tenant's time zone, or UTC when the page spans tenants. */
#define DAY_ZONE "coalesce((SELECT t.time_zone FROM tenants t WHERE t.id = $1::uuid), 'UTC')"

/*
 * Newest first, keyed by (at, id) downwards; the first page starts before (infinity, the
 * largest uuid). $1 the tenant (NULL: every tenant, the operator's view), $5..$10 the filters,
 * $11 and $12 the dates: NULL for any.
 */
static struct db_stmt list_stmt = DB_STMT(
        "audit_log_list",
        SQL_KEYSET_PAGE(
                "SELECT r FROM audit_log r WHERE ($1::uuid IS NULL OR r.tenant_id = $1::uuid) "
                "AND (r.at, r.id) < ($2::timestamptz, $3::uuid) AND ($5::text IS NULL OR "
                "r.actor_kind = $5) AND ($6::uuid IS NULL OR r.actor_id = $6::uuid) AND "
                "($7::text IS NULL OR r.object_type = $7) AND ($8::text IS NULL OR "
                "r.object_id = $8) AND ($9::text IS NULL OR r.action = $9) AND ($10::text IS "
                "NULL OR r.request_id = $10) AND ($11::date IS NULL OR r.at >= "
                "$11::date::timestamp AT TIME ZONE " DAY_ZONE ") AND ($12::date IS NULL OR "
                "r.at < ($12::date + 1)::timestamp AT TIME ZONE " DAY_ZONE
                ") ORDER BY r.at DESC, r.id DESC LIMIT $4::int + 1",
                "audit_log_json", SQL_CURSOR_INSTANT("(s.r).at"), "(s.r).at DESC, (s.r).id DESC",
                "$4"));

static struct db_stmt get_stmt =
        DB_STMT("audit_log_get", "SELECT audit_log_json(r)::text FROM audit_log r WHERE "
                                 "($1::uuid IS NULL OR r.tenant_id = $1::uuid) AND r.id = $2");

int audit_log_list(char **out, struct db_pool *db, const struct audit_log_filter *filter,
                   const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {filter->tenant_id,
	                        key,
	                        id,
	                        page->limit,
	                        filter->actor_kind,
	                        filter->actor_id,
	                        filter->object_type,
	                        filter->object_id,
	                        filter->action,
	                        filter->request_id,
	                        filter->from,
	                        filter->to};
	return db_query_text(out, db, &list_stmt, DB_PARAMS(params));
}

int audit_log_get(char **out, struct db_pool *db, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "audit record");
}
