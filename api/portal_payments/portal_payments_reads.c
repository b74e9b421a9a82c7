#include "portal_payments/portal_payments_reads.h"

#include "db/page_sql.h"
#include "db/query.h"

static struct db_stmt payments_stmt = DB_STMT(
        "portal_payments",
        SQL_KEYSET_PAGE("SELECT r FROM payments r WHERE r.tenant_id = $1 AND r.customer_id = $2 "
                        "AND (r.payment_date, r.id) < ($3::date, $4::uuid) ORDER BY "
                        "r.payment_date DESC, r.id DESC LIMIT $5::int + 1",
                        "portal_payment_summary_json", "(s.r).payment_date",
                        "(s.r).payment_date DESC, (s.r).id DESC", "$5"));

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
	return db_query_text(out, db, &payments_stmt, DB_PARAMS(params));
}

int portal_payments_read(char **out, struct db_pool *db, const char *tenant_id,
                         const char *customer_id, const char *payment_id)
{
	const char *params[] = {tenant_id, customer_id, payment_id};

	return db_query_found(out, db, &payment_stmt, DB_PARAMS(params), "payment");
}
