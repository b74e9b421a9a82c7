#include "portal_invoices/portal_invoices_service.h"

#include <string.h>

#include "db/json_rows.h"
#include "db/query.h"
#include "portal/portal_rows.h"

const char *const portal_invoice_statuses[] = {"all", "open", "paid", "past_due", "pending", NULL};

/* Rule 13 over invoices `i` of tenant $1: sent, or pending while the tenant shows pending
 * invoices (read once per statement: an InitPlan). Drafts never match. */
#define SQL_VISIBLE                                                                                \
	"(i.sent_at IS NOT NULL OR (i.status = 'pending' AND (SELECT t.show_pending_invoices "     \
	"FROM tenants t WHERE t.id = $1)))"

/* The tenant's today, computed once per statement. */
#define SQL_TODAY "(SELECT tenant_today($1))"

/*
 * One page of invoices, as plain columns (invoice_shape writes the JSON). $1 tenant, $2 customer,
 * $3 from (lowest invoice date), $4/$5 the upper end (invoice date, id) the page starts below: the
 * cursor, or `to` with the largest id, whichever comes first; $6 location filter (NULL for none),
 * $7 the page size. Read one row more than the page, which says whether another follows.
 *
 * `to` is folded into the row comparison rather than written as its own `invoice_date <= $n`: a
 * generic plan rates a two-sided date range at a fixed 0.5 %, which made every index look equal
 * and let the location filter run as a filter over all of the account's invoices. Each status
 * (and with or without a location) is its own statement, so each has a plan made for its index
 * (db/migrations/0014_portal_views_b.sql). The page is read first, so its scan stops after it
 * whatever the planner makes of the joins; then the tenant's today and the locations of those
 * rows are joined. A location filter is checked once, before any row is read
 * (portal_location_filter answers 422 for a location that is not the account's); a list without
 * one says $6 IS NULL, which costs nothing.
 */
#define SQL_INVOICE_PAGE(name, location, filter)                                                   \
	DB_STMT(name,                                                                              \
	        "SELECT i.id, i.number, i.invoice_date, i.due_date, i.status, i.status = "         \
	        "'pending', i.status = 'open' AND i.due_date < t.today, CASE WHEN i.status = "     \
	        "'open' AND i.due_date < t.today THEN t.today - i.due_date ELSE 0 END, i.status "  \
	        "= 'open', i.payment_pending, i.terms, " PORTAL_LOCATION_SQL ", i.total_cents, "   \
	        "i.paid_cents, i.credited_cents, i.balance_cents FROM (SELECT * FROM invoices i "  \
	        "WHERE i.tenant_id = $1 AND i.customer_id = $2 AND " SQL_VISIBLE filter " AND "    \
	        "i.invoice_date >= $3::date AND (i.invoice_date, i.id) < ($4::date, $5::uuid) "    \
	        "AND " location " ORDER BY i.invoice_date DESC, i.id DESC LIMIT $7::int + 1) i "   \
	        "CROSS JOIN (SELECT (now() AT TIME ZONE time_zone)::date AS today FROM tenants "   \
	        "WHERE id = $1) t LEFT JOIN locations l ON l.tenant_id = i.tenant_id AND l.id = "  \
	        "i.location_id ORDER BY i.invoice_date DESC, i.id DESC")

#define SQL_ANYWHERE    "$6::uuid IS NULL"
#define SQL_AT_LOCATION "portal_location_filter($1, $2, $6::uuid) AND i.location_id = $6::uuid"
#define SQL_OPEN        " AND i.status = 'open'"
#define SQL_PAID        " AND i.status = 'paid'"
#define SQL_PAST_DUE    " AND i.status = 'open' AND i.due_date < " SQL_TODAY
#define SQL_PENDING     " AND i.status = 'pending'"

/* An item of the list (rule 15), column by column in the statements' order. */
static const struct json_column invoice_columns[] = {
        {"id", COL_STRING},
        {"number", COL_STRING},
        {"invoice_date", COL_STRING},
        {"due_date", COL_STRING},
        {"status", COL_STRING},
        {"pending", COL_BOOL},
        {"past_due", COL_BOOL},
        {"days_past_due", COL_NUMBER},
        {"payable", COL_BOOL},
        {"payment_pending", COL_BOOL},
        {"terms", COL_STRING},
        PORTAL_LOCATION_COLUMNS,
        {"total_cents", COL_NUMBER},
        {"paid_cents", COL_NUMBER},
        {"credited_cents", COL_NUMBER},
        {"balance_cents", COL_NUMBER},
};
static const struct json_shape invoice_shape = JSON_SHAPE(invoice_columns);

/* The cursor is the last item's invoice date and id. */
static const struct json_page_keys invoice_keys = {.key_column = 2, .id_column = 0};

/* [status][location given]. */
static struct db_stmt invoice_pages[PORTAL_INVOICES_STATUS_COUNT][2] = {
        [PORTAL_INVOICES_ALL] = {SQL_INVOICE_PAGE("portal_invoices_all", SQL_ANYWHERE, ""),
                                 SQL_INVOICE_PAGE("portal_invoices_all_at", SQL_AT_LOCATION, "")},
        [PORTAL_INVOICES_OPEN] = {SQL_INVOICE_PAGE("portal_invoices_open", SQL_ANYWHERE, SQL_OPEN),
                                  SQL_INVOICE_PAGE("portal_invoices_open_at", SQL_AT_LOCATION,
                                                   SQL_OPEN)},
        [PORTAL_INVOICES_PAID] = {SQL_INVOICE_PAGE("portal_invoices_paid", SQL_ANYWHERE, SQL_PAID),
                                  SQL_INVOICE_PAGE("portal_invoices_paid_at", SQL_AT_LOCATION,
                                                   SQL_PAID)},
        [PORTAL_INVOICES_PAST_DUE] = {SQL_INVOICE_PAGE("portal_invoices_past_due", SQL_ANYWHERE,
                                                       SQL_PAST_DUE),
                                      SQL_INVOICE_PAGE("portal_invoices_past_due_at",
                                                       SQL_AT_LOCATION, SQL_PAST_DUE)},
        [PORTAL_INVOICES_PENDING] = {SQL_INVOICE_PAGE("portal_invoices_pending", SQL_ANYWHERE,
                                                      SQL_PENDING),
                                     SQL_INVOICE_PAGE("portal_invoices_pending_at", SQL_AT_LOCATION,
                                                      SQL_PENDING)},
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
	return db_query_page(out, db, &invoice_pages[q->status][q->location_id != NULL],
	                     DB_PARAMS(params), &invoice_shape, page->size, invoice_keys);
}

int portal_invoices_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *invoice_id)
{
	const char *params[] = {tenant_id, customer_id, invoice_id};

	return db_query_found(out, db, &invoice_stmt, DB_PARAMS(params), "invoice");
}
