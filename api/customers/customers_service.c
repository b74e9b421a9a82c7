#include "customers/customers_service.h"

#include <stdlib.h>
#include <string.h>

#include "db/query.h"

/*
 * The staff list, by name, as plain columns (customer_shape writes the JSON). The keyset condition
 * is always present (the first page starts after ('', nil uuid)) so one plan walks
 * customers_name_idx for every page. Read one row more than the page, which says whether another
 * follows.
 */
#define CUSTOMER_PAGE_SQL(filter)                                                                  \
	"SELECT r.id, r.account_number, r.external_id, r.name, r.kind, r.routing, r.phone, "       \
	"r.billing_address, r.contacts, r.portal_enabled, r.portal_login_email, "                  \
	"instant(r.created_at), instant(r.updated_at) FROM customers r WHERE r.tenant_id = $1 "    \
	"AND ($2::text IS NULL OR r.kind = $2) AND (r.name, r.id) > ($3, $4::uuid) " filter        \
	" ORDER BY r.name, r.id LIMIT $5::int + 1"

/* A customer as the staff see it, column by column in the statements' order. */
static const struct json_column customer_columns[] = {
        {"id", COL_STRING},     {"account_number", COL_STRING}, {"external_id", COL_STRING},
        {"name", COL_STRING},   {"kind", COL_STRING},           {"routing", COL_BOOL},
        {"phone", COL_STRING},  {"billing_address", COL_RAW},   {"contacts", COL_RAW},
        {"portal", COL_OBJECT}, {"enabled", COL_BOOL},          {"login_email", COL_STRING},
        {NULL, COL_END},        {"created_at", COL_STRING},     {"updated_at", COL_STRING},
};
static const struct json_shape customer_shape = JSON_SHAPE(customer_columns);

/* The cursor is the last item's name and id. */
static const struct json_page_keys customer_keys = {.key_column = 3, .id_column = 0};

static struct db_stmt list_stmt = DB_STMT("customers_list", CUSTOMER_PAGE_SQL(""));

/* Substring search over the trigram-indexed search_text; LIKE's wildcards in the input are
 * escaped so "50%" means what it says. */
static struct db_stmt search_stmt =
        DB_STMT("customers_search",
                CUSTOMER_PAGE_SQL("AND r.search_text LIKE '%' || replace(replace(replace(lower("
                                  "$6), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"));

static struct db_stmt upsert_stmt =
        DB_STMT("customers_upsert", "SELECT body, created FROM customer_upsert($1, $2::jsonb)");

static struct db_stmt update_stmt =
        DB_STMT("customers_update", "SELECT customer_update($1, $2, $3::jsonb)");

#define FIRST_NAME "" /* sorts before every name (names are never empty) */

int customers_list(char **out, struct db_pool *db, const char *tenant_id,
                   const struct customer_filter *filter, const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, FIRST_NAME, CURSOR_NIL_ID);
	const char *params[] = {tenant_id, filter->kind, key, id, page->limit, filter->search};
	/* The search text, last, is a value of the search statement only. */
	int nparams = DB_COUNT(params) - (filter->search == NULL);
	return db_query_page(out, db, filter->search ? &search_stmt : &list_stmt, params, nparams,
	                     &customer_shape, page->size, customer_keys);
}

int customers_upsert(char **out, bool *created, struct db_pool *db, const char *tenant_id,
                     const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if (!text)
		return CS_ENOMEM;
	const char *params[] = {tenant_id, text};
	if ((rc = db_checkout(&conn, db)) == CS_OK) {
		rc = db_exec(&res, conn, &upsert_stmt, DB_PARAMS(params));
		db_release(conn);
	}
	free(text);
	if (rc != CS_OK)
		return rc;
	*created = PQgetvalue(res, 0, 1)[0] == 't';
	if (!(*out = strdup(PQgetvalue(res, 0, 0))))
		rc = CS_ENOMEM;
	PQclear(res);
	return rc;
}

int customers_update(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                     const json_t *patch)
{
	const char *params[] = {tenant_id, customer_id, DB_JSON};

	return db_query_text_json(out, db, &update_stmt, DB_PARAMS(params), patch);
}
