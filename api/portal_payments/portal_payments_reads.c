#include "portal_payments/portal_payments_reads.h"

#include "db/query.h"

/* One page of the account's payments as plain columns (payment_shape writes the JSON), newest
 * payment date first: $1 tenant, $2 account, $3/$4 the cursor (or the first-page sentinels), $5
 * the page size. Read one row more than the page, which says whether another follows. */
static struct db_stmt payments_stmt = DB_STMT(
        "portal_payments",
        "SELECT p.id, p.payment_date, p.status, p.method, p.reference_number, p.amount_cents, "
        "p.allocated_cents, p.refunded_cents, p.amount_cents - p.allocated_cents - "
        "p.refunded_cents, p.method_brand, p.method_last4, p.failure_code, p.failure_message "
        "FROM payments p WHERE p.tenant_id = $1 AND p.customer_id = $2 AND (p.payment_date, "
        "p.id) < ($3::date, $4::uuid) ORDER BY p.payment_date DESC, p.id DESC LIMIT $5::int + 1");

/* An item of the list (rule 16), column by column in the statement's order. */
static const struct json_column payment_columns[] = {
        {"id", COL_STRING},
        {"payment_date", COL_STRING},
        {"status", COL_STRING},
        {"method", COL_STRING},
        {"reference_number", COL_STRING},
        {"amount_cents", COL_NUMBER},
        {"applied_cents", COL_NUMBER},
        {"refunded_cents", COL_NUMBER},
        {"unapplied_cents", COL_NUMBER},
        {"method_brand", COL_STRING},
        {"method_last4", COL_STRING},
        {"failure_code", COL_STRING},
        {"failure_message", COL_STRING},
};
static const struct json_shape payment_shape = JSON_SHAPE(payment_columns);

/* The cursor is the last item's payment date and id. */
static const struct json_page_keys payment_keys = {.key_column = 1, .id_column = 0};

static struct db_stmt payment_stmt =
        DB_STMT("portal_payment",
                "SELECT portal_payment_json(p)::text FROM payments p WHERE p.tenant_id = $1 AND "
                "p.customer_id = $2 AND p.id = $3");

int portal_payments_list(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_page(out, db, &payments_stmt, DB_PARAMS(params), &payment_shape, page->size,
	                     payment_keys);
}

int portal_payments_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *payment_id)
{
	const char *params[] = {tenant_id, customer_id, payment_id};

	return db_query_found(out, db, &payment_stmt, DB_PARAMS(params), "payment");
}
