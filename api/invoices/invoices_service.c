#include "invoices/invoices_service.h"

#include <string.h>

#include "core/hash.h"
#include "core/random.h"
#include "db/page_sql.h"
#include "db/query.h"

/*
 * A customer's invoices, newest first. The keyset condition is always present (the first page
 * starts before (infinity, max uuid)) so one plan walks invoices_customer_idx for every page.
 * An unknown customer yields NULL (not found) rather than an empty page.
 */
static struct db_stmt list_stmt = DB_STMT(
        "invoices_list",
        SQL_CUSTOMER_KEYSET_PAGE(
                "SELECT r FROM invoices r WHERE r.tenant_id = $1 AND r.customer_id = $2 AND "
                "($3::text IS NULL OR r.status = $3) AND (r.invoice_date, r.id) < ($4::date, "
                "$5::uuid) ORDER BY r.invoice_date DESC, r.id DESC LIMIT $6::int + 1",
                "invoice_summary_json", "(s.r).invoice_date",
                "(s.r).invoice_date DESC, (s.r).id DESC", "$6"));

static struct db_stmt get_stmt = DB_STMT(
        "invoices_get",
        "SELECT invoice_json(i)::text FROM invoices i WHERE i.tenant_id = $1 AND i.id = $2");

static struct db_stmt create_stmt =
        DB_STMT("invoices_create", "SELECT invoice_create($1, $2, $3::jsonb)");

static struct db_stmt update_stmt =
        DB_STMT("invoices_update", "SELECT invoice_update($1, $2, $3::jsonb)");

static struct db_stmt send_stmt = DB_STMT("invoices_send", "SELECT invoice_send($1, $2, $3, $4)");

static struct db_stmt void_stmt = DB_STMT("invoices_void", "SELECT invoice_void($1, $2, $3)");

int invoices_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const char *status, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, status, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int invoices_get(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id)
{
	const char *params[] = {tenant_id, invoice_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "invoice");
}

int invoices_create(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                    const json_t *body)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &create_stmt, DB_PARAMS(params), body);
}

int invoices_update(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id,
                    const json_t *patch)
{
	const char *params[] = {tenant_id, invoice_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}

int invoices_send(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id)
{
	struct random_hashed_token pay_link;
	int rc;

	*out = NULL;
	/* The Review & Pay link of the email (rule 7); only its hash is stored. */
	if ((rc = random_hashed_token(&pay_link)) != CS_OK)
		return rc;
	const char *params[] = {tenant_id, invoice_id, pay_link.token, pay_link.hash};
	return db_query_text(out, db, &send_stmt, DB_PARAMS(params));
}

int invoices_void(char **out, struct db_pool *db, const char *tenant_id, const char *invoice_id,
                  const char *reason)
{
	const char *params[] = {tenant_id, invoice_id, reason};

	return db_query_text(out, db, &void_stmt, DB_PARAMS(params));
}
