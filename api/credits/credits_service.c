#include "credits/credits_service.h"

#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's credits, newest first. The keyset condition is always present (the first page
 * starts before (infinity, max uuid)) so one plan walks credits_customer_idx for every page. An
 * unknown customer yields NULL (not found) rather than an empty page.
 */
static struct db_stmt list_stmt = DB_STMT(
        "credits_list",
        SQL_CUSTOMER_KEYSET_PAGE("SELECT r FROM credits r WHERE r.tenant_id = $1 AND r.customer_id "
                                 "= $2 AND (r.credit_date, r.id) < ($3::date, $4::uuid) ORDER BY "
                                 "r.credit_date DESC, r.id DESC LIMIT $5::int + 1",
                                 "credit_summary_json", "(s.r).credit_date",
                                 "(s.r).credit_date DESC, (s.r).id DESC", "$5"));

static struct db_stmt get_stmt =
        DB_STMT("credits_get",
                "SELECT credit_json(c)::text FROM credits c WHERE c.tenant_id = $1 AND c.id = $2");

static struct db_stmt create_stmt =
        DB_STMT("credits_create", "SELECT credit_create($1, $2, $3::jsonb)");

static struct db_stmt apply_stmt =
        DB_STMT("credits_apply", "SELECT credit_apply($1, $2, $3::jsonb)");

int credits_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                 const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int credits_get(char **out, struct db_pool *db, const char *tenant_id, const char *credit_id)
{
	const char *params[] = {tenant_id, credit_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "credit");
}

int credits_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                   const json_t *body)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &create_stmt, DB_PARAMS(params), body);
}

int credits_apply(char **out, struct db_pool *db, const char *tenant_id, const char *credit_id,
                  const json_t *body)
{
	const char *params[] = {tenant_id, credit_id, DB_JSON};

	return db_query_text_json(out, db, &apply_stmt, DB_PARAMS(params), body);
}
