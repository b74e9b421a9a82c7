#include "service_requests/service_requests_service.h"

#include "db/page_sql.h"
#include "db/query.h"
#include "service_catalog/service_catalog_service.h"

/*
 * The queue, oldest first (the request waiting longest on top), keyed by (created_at, id); the
 * first page starts after (-infinity, the nil uuid). $5 statuses (comma-separated), $6 type, $7
 * and $8 the range of the date asked for, $9 the customer: NULL for any.
 */
static struct db_stmt list_stmt = DB_STMT(
        "service_requests_list",
        SQL_KEYSET_PAGE("SELECT r FROM service_requests r WHERE r.tenant_id = $1 AND "
                        "(r.created_at, r.id) > ($2::timestamptz, $3::uuid) AND ($5::text IS NULL "
                        "OR r.status = ANY (string_to_array($5, ','))) AND ($6::text IS NULL OR "
                        "r.type = $6) AND ($7::date IS NULL OR r.requested_date >= $7::date) AND "
                        "($8::date IS NULL OR r.requested_date <= $8::date) AND ($9::uuid IS "
                        "NULL OR r.customer_id = $9::uuid) ORDER BY r.created_at, r.id LIMIT "
                        "$4::int + 1",
                        "admin_service_request_json", SQL_CURSOR_INSTANT("(s.r).created_at"),
                        "(s.r).created_at, (s.r).id", "$4"));

static struct db_stmt get_stmt =
        DB_STMT("service_requests_get",
                "SELECT admin_service_request_detail_json(r)::text FROM service_requests r "
                "WHERE r.tenant_id = $1 AND r.id = $2");

static struct db_stmt act_stmt =
        DB_STMT("service_requests_act",
                "SELECT admin_service_request_act($1, $2::uuid, $3, $4, $5::uuid, $6::jsonb, "
                "$7::timestamptz)");

static const char *const action_names[] = {
        [SERVICE_REQUEST_ACCEPT] = "accept",
        [SERVICE_REQUEST_SCHEDULE] = "schedule",
        [SERVICE_REQUEST_DECLINE] = "decline",
        [SERVICE_REQUEST_COMPLETE] = "complete",
};

int service_requests_list(char **out, struct db_pool *db, const char *tenant_id,
                          const struct service_request_queue_filter *filter,
                          const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_BEFORE_ALL_INSTANTS, CURSOR_NIL_ID);
	const char *params[] = {tenant_id,          key,          id,           page->limit,
	                        filter->statuses,   filter->type, filter->from, filter->to,
	                        filter->customer_id};
	return db_query_text(out, db, &list_stmt, DB_PARAMS(params));
}

int service_requests_get(char **out, struct db_pool *db, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "service request");
}

int service_requests_act(char **out, struct app *app, const struct principal *who, const char *id,
                         enum service_request_action action, const json_t *body)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = service_catalog_now(now, app);

	*out = NULL;
	if (rc != CS_OK)
		return rc;
	const char *actor = who->kind == PRINCIPAL_API_KEY ? "api_key" : "staff";
	json_t *empty = body ? NULL : json_object();
	const char *params[] = {who->tenant_id, id, action_names[action], actor, who->user_id,
	                        DB_JSON,        now};
	rc = db_query_text_json(out, app->db, &act_stmt, DB_PARAMS(params), body ? body : empty);
	json_decref(empty);
	return rc;
}
