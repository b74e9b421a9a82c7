#include "portal_service_requests/portal_service_requests_service.h"

#include <stdio.h>

#include "db/page_sql.h"
#include "db/query.h"
#include "service_catalog/service_catalog_service.h"

static struct db_stmt create_stmt =
        DB_STMT("portal_service_requests_create",
                "SELECT portal_service_request_create($1, $2, $3, $4::jsonb, $5::timestamptz, "
                "$6::int, $7::uuid)");

/* Newest first on service_requests_customer_idx; the first page starts before (infinity, max
 * uuid). $6 status and $7 type are NULL for any. */
static struct db_stmt list_stmt = DB_STMT(
        "portal_service_requests_list",
        SQL_KEYSET_PAGE("SELECT r FROM service_requests r WHERE r.tenant_id = $1 AND "
                        "r.customer_id = $2 AND (r.created_at, r.id) < ($3::timestamptz, "
                        "$4::uuid) AND ($6::text IS NULL OR r.status = $6) AND ($7::text IS NULL "
                        "OR r.type = $7) ORDER BY r.created_at DESC, r.id DESC LIMIT $5::int + 1",
                        "portal_service_request_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                        "(s.r).created_at DESC, (s.r).id DESC", "$5"));

static struct db_stmt get_stmt =
        DB_STMT("portal_service_requests_get",
                "SELECT portal_service_request_detail_json(r)::text FROM service_requests r "
                "WHERE r.tenant_id = $1 AND r.customer_id = $2 AND r.id = $3");

static struct db_stmt cancel_stmt =
        DB_STMT("portal_service_requests_cancel",
                "SELECT portal_service_request_cancel($1, $2, $3, $4::uuid)");

int portal_service_requests_create(char **out, struct app *app, const struct principal *who,
                                   const json_t *body, const char *claim_id)
{
	char now[CLOCK_TEXT_SIZE], per_hour[16];
	int rc = service_catalog_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	snprintf(per_hour, sizeof(per_hour), "%d", SERVICE_REQUESTS_PER_HOUR);
	const char *params[] = {who->tenant_id, who->account_id, who->user_id, DB_JSON, now,
	                        per_hour,       claim_id};
	return db_query_text_json(out, app->db, &create_stmt, DB_PARAMS(params), body);
}

int portal_service_requests_list(char **out, struct db_pool *db, const struct principal *who,
                                 const struct service_request_filter *filter,
                                 const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {who->tenant_id, who->account_id, key,         id,
	                        page->limit,    filter->status,  filter->type};
	return db_query_text(out, db, &list_stmt, DB_PARAMS(params));
}

int portal_service_requests_get(char **out, struct db_pool *db, const char *tenant_id,
                                const char *customer_id, const char *id)
{
	const char *params[] = {tenant_id, customer_id, id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "service request");
}

int portal_service_requests_cancel(char **out, struct db_pool *db, const struct principal *who,
                                   const char *id)
{
	const char *params[] = {who->tenant_id, who->account_id, who->user_id, id};

	return db_query_text(out, db, &cancel_stmt, DB_PARAMS(params));
}
