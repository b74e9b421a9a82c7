#include "portal_payments/portal_payments_service.h"

#include <stdlib.h>
#include <string.h>

#include "db/query.h"
#include "payments/payments_charge.h"
#include "payments/payments_limits.h"
#include "processors/processor.h"

static struct db_stmt reserve_stmt = DB_STMT(
        "portal_payment_reserve_limited", "SELECT portal_payment_reserve_limited($1, $2, $3, $4, "
                                          "$5::jsonb, $6, $7::json, $8::int, $9::int)");

static struct db_stmt settle_stmt = DB_STMT(
        "portal_payment_settle", "SELECT status, body FROM portal_payment_settle($1, $2::jsonb)");

void portal_payment_answer_release(struct portal_payment_answer *a)
{
	free(a->body);
	a->body = NULL;
}

/* What the database keeps of a processor's method (never the token). */
static json_t *method_doc(const struct processor_method *m)
{
	bool card = m->exp_month > 0;

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "processor_ref", m->ref, "type",
	                 m->type, "brand", m->brand, "last4", m->last4, "exp_month",
	                 card ? json_integer(m->exp_month) : json_null(), "exp_year",
	                 card ? json_integer(m->exp_year) : json_null(), "bank_name", m->bank_name);
}

/* The method of a token, made at the processor before any connection is taken, once the
 * attempt is known to be within the card-testing limits. */
static int token_method(json_t **doc, struct app *app, const struct payments_attempt *attempt,
                        const json_t *body)
{
	const char *token = json_string_value(json_object_get(body, "payment_token"));
	struct processor_method method;
	int rc;

	*doc = NULL;
	if (!token)
		return CS_OK;
	if ((rc = payments_limits_check(app, attempt)) != CS_OK)
		return rc;
	if ((rc = processor_create_method(app->processor, &method, token)) == CS_EINVALID)
		cs_error_set_field("payment_token");
	if (rc != CS_OK)
		return rc;
	return (*doc = method_doc(&method)) ? CS_OK : CS_ENOMEM;
}

/* Transaction A: the payment to charge (a new one within the limits, or this claim's pending
 * one). */
static int reserve(json_t **plan, struct app *app, const struct payments_attempt *attempt,
                   const json_t *body, const json_t *method)
{
	char *method_text = method ? json_dumps(method, JSON_COMPACT) : NULL, *text = NULL;
	struct payments_limits limits;
	int rc;

	payments_limits_of(&limits, app);
	const char *params[] = {attempt->tenant_id,
	                        attempt->customer_id,
	                        attempt->user_id,
	                        attempt->claim_id,
	                        DB_JSON,
	                        processor_name(app->processor),
	                        method_text,
	                        limits.declines,
	                        limits.methods};
	*plan = NULL;
	if (method && !method_text)
		return CS_ENOMEM;
	rc = db_query_text_json(&text, app->db, &reserve_stmt, DB_PARAMS(params), body);
	free(method_text);
	if (rc == CS_OK && !(*plan = text ? json_loads(text, 0, NULL) : NULL))
		rc = CS_EINTERNAL;
	free(text);
	return rc;
}

/* Transaction B: record the outcome and read the answer stored under the claim. */
static int settle(struct portal_payment_answer *out, struct app *app, const char *payment_id,
                  const struct processor_charge *charge)
{
	json_t *outcome = payments_outcome_doc(charge, app->cfg.payments_poll_seconds);
	char *outcome_text = outcome ? json_dumps(outcome, JSON_COMPACT) : NULL;
	const char *params[] = {payment_id, outcome_text};
	PGresult *res = NULL;
	int rc;

	json_decref(outcome);
	if (!outcome_text)
		return CS_ENOMEM;
	rc = db_query_result_waiting(&res, app->db, &settle_stmt, DB_PARAMS(params),
	                             app->cfg.settle_wait_seconds * 1000);
	free(outcome_text);
	if (rc != CS_OK)
		return rc;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 1)) {
		PQclear(res);
		return CS_EINTERNAL;
	}
	out->status = atoi(PQgetvalue(res, 0, 0));
	out->body = strdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return out->body ? CS_OK : CS_ENOMEM;
}

int portal_payments_pay(struct portal_payment_answer *out, struct app *app, const char *tenant_id,
                        const char *customer_id, const char *user_id, const json_t *body,
                        const char *claim_id)
{
	const struct payments_attempt attempt = {
	        .tenant_id = tenant_id,
	        .customer_id = customer_id,
	        .user_id = user_id,
	        .claim_id = claim_id,
	        .charge = true,
	        .new_method = json_object_get(body, "payment_token") != NULL};
	struct processor_charge charge;
	json_t *method = NULL, *plan = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = token_method(&method, app, &attempt, body)) != CS_OK)
		return rc;
	rc = reserve(&plan, app, &attempt, body, method);
	json_decref(method);
	if (rc != CS_OK)
		return rc;
	out->reserved = true;
	const char *payment_id = json_string_value(json_object_get(plan, "payment_id"));
	/* No connection is held from here to the settlement. */
	if (!payment_id)
		rc = CS_EINTERNAL;
	else if ((rc = payments_charge_reserved(&charge, app->processor, plan)) == CS_OK)
		rc = settle(out, app, payment_id, &charge);
	if (rc == CS_EUPSTREAM)
		cs_error_set(
		        CS_EUPSTREAM, "payment_processor_unavailable",
		        "The payment processor did not answer in time, so we cannot tell yet "
		        "whether the payment went through. Retry with the same Idempotency-Key: "
		        "you will not be charged twice.");
	json_decref(plan);
	return rc;
}
