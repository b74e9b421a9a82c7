#include "payments/payments_service.h"

#include <stdlib.h>
#include <string.h>

#include "db/page_sql.h"
#include "db/query.h"
#include "payments/payments_charge.h"

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
                        "(s.r).payment_date DESC, (s.r).id DESC", "$5"));

static struct db_stmt get_stmt = DB_STMT(
        "payments_get",
        "SELECT payment_json(p)::text FROM payments p WHERE p.tenant_id = $1 AND p.id = $2");

static struct db_stmt record_stmt =
        DB_STMT("payments_record", "SELECT payment_record($1, $2::jsonb, $3)");

static struct db_stmt refund_reserve_stmt =
        DB_STMT("payments_refund_reserve",
                "SELECT kind, body FROM payment_refund_reserve($1, $2, $3::jsonb, $4)");

static struct db_stmt refund_settle_stmt = DB_STMT(
        "payments_refund_settle", "SELECT status, body FROM payment_refund_settle($1, $2::jsonb)");

int payments_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const struct list_params *page)
{
	const char *key, *id;

	http_list_after(page, &key, &id, CURSOR_AFTER_ALL_DATES, CURSOR_MAX_ID);
	const char *params[] = {tenant_id, customer_id, key, id, page->limit};
	return db_query_found(out, db, &list_stmt, DB_PARAMS(params), "customer");
}

int payments_get(char **out, struct db_pool *db, const char *tenant_id, const char *payment_id)
{
	const char *params[] = {tenant_id, payment_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "payment");
}

int payments_record(char **out, struct db_pool *db, const char *tenant_id, const json_t *body,
                    const char *claim_id)
{
	const char *params[] = {tenant_id, DB_JSON, claim_id};

	return db_query_text_json(out, db, &record_stmt, DB_PARAMS(params), body);
}

void payments_refund_answer_release(struct payments_refund_answer *a)
{
	free(a->body);
	a->body = NULL;
}

/* The two cells of a one-row (text, text) result: *first (when non-NULL) and *second, copied
 * (caller frees). */
static int two_cells(char **first, char **second, PGresult *res)
{
	*second = NULL;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 1))
		return CS_EINTERNAL;
	if (first && !(*first = strdup(PQgetvalue(res, 0, 0))))
		return CS_ENOMEM;
	return (*second = strdup(PQgetvalue(res, 0, 1))) ? CS_OK : CS_ENOMEM;
}

/* Refund a reserved processor refund and record the outcome. */
static int refund_through_processor(struct payments_refund_answer *out, struct app *app,
                                    const json_t *plan)
{
	const char *id = json_string_value(json_object_get(plan, "refund_id"));
	struct processor_refund refund;
	PGresult *res = NULL;
	char *status = NULL, *text = NULL, failure[256];
	int rc;

	if (!id)
		return CS_EINTERNAL;
	rc = payments_refund_reserved(&refund, failure, sizeof(failure), app->processor, plan);
	if (rc != CS_OK)
		return rc;
	json_t *outcome = payments_refund_outcome_doc(&refund, failure);
	if (!outcome || !(text = json_dumps(outcome, JSON_COMPACT))) {
		json_decref(outcome);
		return CS_ENOMEM;
	}
	json_decref(outcome);
	const char *params[] = {id, text};
	rc = db_query_result_waiting(&res, app->db, &refund_settle_stmt, DB_PARAMS(params),
	                             app->cfg.settle_wait_seconds * 1000);
	free(text);
	if (rc != CS_OK)
		return rc;
	rc = two_cells(&status, &out->body, res);
	PQclear(res);
	out->status = status ? atoi(status) : 0;
	free(status);
	return rc;
}

int payments_refund(struct payments_refund_answer *out, struct app *app, const char *tenant_id,
                    const char *payment_id, const json_t *body, const char *claim_id)
{
	const char *params[] = {tenant_id, payment_id, NULL, claim_id};
	char *text = NULL, *kind = NULL;
	PGresult *res = NULL;
	json_t *plan = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	char *body_text = json_dumps(body, JSON_COMPACT);
	if (!body_text)
		return CS_ENOMEM;
	params[2] = body_text;
	rc = db_query_result(&res, app->db, &refund_reserve_stmt, DB_PARAMS(params));
	free(body_text);
	if (rc != CS_OK)
		return rc;
	rc = two_cells(&kind, &text, res);
	PQclear(res);
	if (rc == CS_OK && !strcmp(kind, "done")) {
		out->status = 201;
		out->body = text;
		text = NULL;
	} else if (rc == CS_OK) {
		out->reserved = true;
		/* No connection is held from here to the settlement. */
		plan = json_loads(text, 0, NULL);
		rc = plan ? refund_through_processor(out, app, plan) : CS_EINTERNAL;
	}
	if (rc == CS_EUPSTREAM)
		cs_error_set(
		        CS_EUPSTREAM, "payment_processor_unavailable",
		        "The payment processor did not answer in time, so we cannot tell yet "
		        "whether the refund went through. Retry with the same Idempotency-Key: "
		        "the money will not be given back twice.");
	json_decref(plan);
	free(kind);
	free(text);
	return rc;
}
