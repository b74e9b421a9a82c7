#include "payments/payments_service.h"

#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's payments, newest payment date first. The keyset condition is always present (the
 * first page starts before ('infinity', the max uuid)) so one plan walks payments_customer_idx for
 * every page. The page is built inside a select over the customer, so an unknown customer (or
 * another tenant's) is no row rather than an empty page.
 */
static struct db_stmt list_stmt =
        DB_STMT("payments_list",
                SQL_CUSTOMER_KEYSET_PAGE(
                        "SELECT r FROM payments r WHERE r.tenant_id = $1 AND r.customer_id = $2 "
                        "AND (r.payment_date, r.id) < ($3::date, $4::uuid) ORDER BY r.payment_date "
                        "DESC, r.id DESC LIMIT $5::int + 1",
                        "payment_summary_json", "(s.r).payment_date",
                        "(s.r).payment_date DESC, (s.r).id DESC", "$5"),
                5);

static struct db_stmt get_stmt = DB_STMT(
        "payments_get",
        "SELECT payment_json(p)::text FROM payments p WHERE p.tenant_id = $1 AND p.id = $2", 2);

static struct db_stmt record_stmt =
        DB_STMT("payments_record", "SELECT payment_record($1, $2::jsonb, $3)", 3);

static struct db_stmt refund_stmt =
        DB_STMT("payments_refund", "SELECT payment_refund($1, $2, $3::jsonb, $4)", 4);

int payments_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, params, "customer");
}

int payments_get(char **out, struct db_pool *db, const char *tenant_id, const char *payment_id)
{
	const char *params[] = {tenant_id, payment_id};

	return db_query_found(out, db, &get_stmt, params, "payment");
}

int payments_record(char **out, struct db_pool *db, const char *tenant_id, const json_t *body,
                    const char *claim_id)
{
	const char *params[] = {tenant_id, NULL, claim_id};

	return db_query_text_json(out, db, &record_stmt, params, 1, body);
}

int payments_refund(char **out, struct db_pool *db, const char *tenant_id, const char *payment_id,
                    const json_t *body, const char *claim_id)
{
	const char *params[] = {tenant_id, payment_id, NULL, claim_id};

	return db_query_text_json(out, db, &refund_stmt, params, 2, body);
}
