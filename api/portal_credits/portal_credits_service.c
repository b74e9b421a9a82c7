#include "portal_credits/portal_credits_service.h"

#include "db/page_sql.h"
#include "db/query.h"

static struct db_stmt credits_stmt = DB_STMT(
        "portal_credits",
        SQL_KEYSET_PAGE("SELECT r FROM credits r WHERE r.tenant_id = $1 AND r.customer_id = $2 "
                        "AND (r.credit_date, r.id) < ($3::date, $4::uuid) ORDER BY "
                        "r.credit_date DESC, r.id DESC LIMIT $5::int + 1",
                        "portal_credit_json", "(s.r).credit_date",
                        "(s.r).credit_date DESC, (s.r).id DESC", "$5"));

int portal_credits_list(char **out, struct db_pool *db, const char *tenant_id,
                        const char *customer_id, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_text(out, db, &credits_stmt, DB_PARAMS(params));
}
