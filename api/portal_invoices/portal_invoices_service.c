#include "portal_invoices/portal_invoices_service.h"

#include <string.h>

#include "db/page_sql.h"
#include "db/query.h"

const char *const portal_invoice_statuses[] = {"all", "open", "paid", "past_due", "pending", NULL};

/* Rule 13 over invoices `i` of tenant $1: sent, or pending while the tenant shows pending
 * invoices (read once per statement: an InitPlan). Drafts never match. */
#define SQL_VISIBLE                                                                                \
	"(i.sent_at IS NOT NULL OR (i.status = 'pending' AND (SELECT t.show_pending_invoices "     \
	"FROM tenants t WHERE t.id = $1)))"

/* The tenant's today, computed once per statement. */
#define SQL_TODAY "(SELECT tenant_today($1))"

/*
 * One page of invoices. $1 tenant, $2 customer, $3 from (lowest invoice date), $4/$5 the upper
 * end (invoice date, id) the page starts below: the cursor, or `to` with the largest id,
 * whichever comes first; $6 location filter (NULL for none; portal_location_filter answers 422
 * for one that is not the account's, once, before any row is read), $7 the page size.
 *
 * `to` is folded into the row comparison rather than written as its own `invoice_date <= $n`: a
 * generic plan rates a two-sided date range at a fixed 0.5 %, which made every index look equal
 * and let the location filter run as a filter over all of the account's invoices. Each status
 * (and with or without a location) is its own statement, so each has a plan made for its index
 * (db/migrations/0014_portal_views_b.sql); the tenant's today is a materialised one-row CTE so
 * the row JSON does not call tenant_today() per row.
 */
#define SQL_INVOICE_PAGE(name, filter)                                                             \
	DB_STMT(name,                                                                              \
	        "WITH d AS MATERIALIZED (SELECT tenant_today($1) AS today), page AS (SELECT "      \
	        "portal_invoice_summary_json(i, l, d.today) AS body, json_build_array("            \
	        "i.invoice_date, i.id) AS keys, row_number() OVER (ORDER BY i.invoice_date DESC, " \
	        "i.id DESC) AS n FROM (SELECT * FROM invoices i WHERE i.tenant_id = $1 AND "       \
	        "i.customer_id = $2 AND " SQL_VISIBLE filter " AND i.invoice_date >= $3::date "    \
	        "AND (i.invoice_date, i.id) < ($4::date, $5::uuid) AND "                           \
	        "portal_location_filter($1, $2, $6::uuid) ORDER BY i.invoice_date DESC, i.id "     \
	        "DESC LIMIT $7::int + 1) i LEFT JOIN locations l ON l.tenant_id = i.tenant_id "    \
	        "AND l.id = i.location_id CROSS JOIN d) SELECT json_build_object('items', "        \
	        "coalesce(json_agg(body ORDER BY n) FILTER (WHERE n <= $7::int), '[]'::json), "    \
	        "'next_cursor', CASE WHEN max(n) > $7::int THEN cursor_encode((array_agg(keys "    \
	        "ORDER BY n))[$7::int]) END)::text FROM page")

#define SQL_AT_LOCATION " AND i.location_id = $6::uuid"
#define SQL_OPEN        " AND i.status = 'open'"
#define SQL_PAID        " AND i.status = 'paid'"
#define SQL_PAST_DUE    " AND i.status = 'open' AND i.due_date < " SQL_TODAY
#define SQL_PENDING     " AND i.status = 'pending'"

/* [status][location given]. */
static struct db_stmt invoice_pages[PORTAL_INVOICES_STATUS_COUNT][2] = {
        [PORTAL_INVOICES_ALL] = {SQL_INVOICE_PAGE("portal_invoices_all", ""),
                                 SQL_INVOICE_PAGE("portal_invoices_all_at", SQL_AT_LOCATION)},
        [PORTAL_INVOICES_OPEN] = {SQL_INVOICE_PAGE("portal_invoices_open", SQL_OPEN),
                                  SQL_INVOICE_PAGE("portal_invoices_open_at",
                                                   SQL_OPEN SQL_AT_LOCATION)},
        [PORTAL_INVOICES_PAID] = {SQL_INVOICE_PAGE("portal_invoices_paid", SQL_PAID),
                                  SQL_INVOICE_PAGE("portal_invoices_paid_at",
                                                   SQL_PAID SQL_AT_LOCATION)},
        [PORTAL_INVOICES_PAST_DUE] = {SQL_INVOICE_PAGE("portal_invoices_past_due", SQL_PAST_DUE),
                                      SQL_INVOICE_PAGE("portal_invoices_past_due_at",
                                                       SQL_PAST_DUE SQL_AT_LOCATION)},
        [PORTAL_INVOICES_PENDING] = {SQL_INVOICE_PAGE("portal_invoices_pending", SQL_PENDING),
                                     SQL_INVOICE_PAGE("portal_invoices_pending_at",
                                                      SQL_PENDING SQL_AT_LOCATION)},
};

static struct db_stmt invoice_stmt = DB_STMT(
        "portal_invoice",
        "SELECT portal_invoice_json(i, l, " SQL_TODAY ")::text FROM invoices i LEFT JOIN "
        "locations l ON l.tenant_id = i.tenant_id AND l.id = i.location_id WHERE i.tenant_id = "
        "$1 AND i.customer_id = $2 AND i.id = $3 AND " SQL_VISIBLE);

/* Where the page starts: below the cursor, or below `to` with the largest id (so `to` itself is
 * in), whichever is lower. Dates compare as text (YYYY-MM-DD). */
static void invoice_page_top(const char **date, const char **id, const struct list_params *page,
                             const char *to)
{
	http_list_after(page, date, id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	if (to && (!page->has_cursor || strcmp(to, *date) < 0)) {
		*date = to;
		*id = CURSOR_MAX_ID;
	}
}

int portal_invoices_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const struct portal_invoice_query *q,
                         const struct list_params *page)
{
	const char *date, *id;

	invoice_page_top(&date, &id, page, q->to);
	const char *params[] = {tenant_id,  customer_id, q->from ? q->from : "-infinity",
	                        date,       id,          q->location_id,
	                        page->limit};
	return db_query_text(out, db, &invoice_pages[q->status][q->location_id != NULL],
	                     DB_PARAMS(params));
}

int portal_invoices_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *invoice_id)
{
	const char *params[] = {tenant_id, customer_id, invoice_id};

	return db_query_found(out, db, &invoice_stmt, DB_PARAMS(params), "invoice");
}
