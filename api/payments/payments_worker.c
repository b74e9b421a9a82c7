#include "payments/payments_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "db/loop.h"
#include "payments/payments_charge.h"

struct payments_worker {
	struct app *app;
	struct db_loop *loop; /* owned: stopped by payments_worker_stop */
	/* During a round, the loop running it and its connection. */
	struct db_loop *running;
	PGconn *conn;
};

/* One statement of the round whose answer is one text cell (db_loop_query_text). */
static int query_text(char **out, struct payments_worker *w, const char *sql,
                      const char *const *params, int nparams)
{
	return db_loop_query_text(out, w->conn, "payments worker", sql, params, nparams);
}

/* Ask the processor where the payment stands: look its charge up, or make the charge (again). */
static int ask_processor(struct processor_charge *charge, struct payments_worker *w,
                         const json_t *doc)
{
	const char *charge_ref = json_string_value(json_object_get(doc, "charge_ref"));

	if (charge_ref)
		return processor_lookup_charge(w->app->processor, charge, charge_ref);
	return payments_charge_reserved(charge, w->app->processor, doc);
}

/* Settle one claimed payment. A processor that does not answer leaves it for the next look. */
static int finish_payment(struct payments_worker *w, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "payment_id"));
	struct processor_charge charge;
	char *outcome_text = NULL, *ignored = NULL;
	int rc;

	if (!id)
		return CS_EINTERNAL;
	if ((rc = ask_processor(&charge, w, doc)) != CS_OK) {
		LOG_WARN("payments worker: payment %s: the processor did not answer; next look "
		         "later",
		         id);
		return CS_OK;
	}
	json_t *outcome = payments_outcome_doc(&charge, w->app->cfg.payments_poll_seconds);
	if (!outcome || !(outcome_text = json_dumps(outcome, JSON_COMPACT))) {
		json_decref(outcome);
		return CS_ENOMEM;
	}
	json_decref(outcome);
	const char *params[] = {id, outcome_text};
	rc = query_text(&ignored, w, "SELECT status FROM portal_payment_settle($1, $2::jsonb)",
	                DB_PARAMS(params));
	if (rc == CS_OK && charge.status != PROCESSOR_PENDING)
		LOG_INFO("payments worker: payment %s settled (%s)", id,
		         charge.status == PROCESSOR_SUCCEEDED ? "succeeded" : "failed");
	free(outcome_text);
	free(ignored);
	return rc;
}

/* Settle one claimed refund whose request died. A processor that does not answer leaves it for
 * the next look. */
static int finish_refund(struct payments_worker *w, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "refund_id"));
	struct processor_refund refund;
	char failure[256], *outcome_text = NULL, *ignored = NULL;
	int rc;

	if (!id)
		return CS_EINTERNAL;
	rc = payments_refund_reserved(&refund, failure, sizeof(failure), w->app->processor, doc);
	if (rc != CS_OK) {
		LOG_WARN(
		        "payments worker: refund %s: the processor did not answer; next look later",
		        id);
		return CS_OK;
	}
	json_t *outcome = payments_refund_outcome_doc(&refund, failure);
	if (!outcome || !(outcome_text = json_dumps(outcome, JSON_COMPACT))) {
		json_decref(outcome);
		return CS_ENOMEM;
	}
	json_decref(outcome);
	const char *params[] = {id, outcome_text};
	rc = query_text(&ignored, w, "SELECT status FROM payment_refund_settle($1, $2::jsonb)",
	                DB_PARAMS(params));
	if (rc == CS_OK)
		LOG_INFO("payments worker: refund %s settled", id);
	free(outcome_text);
	free(ignored);
	return rc;
}

typedef int (*finish_fn)(struct payments_worker *w, const json_t *doc);

/* Claim one batch of due payments or refunds (`sql`) and finish each; *count how many were
 * claimed. */
static int run_batch(size_t *count, struct payments_worker *w, const char *sql, finish_fn finish)
{
	char limit[16], lease[16], *text = NULL;
	json_t *list = NULL, *doc;
	size_t i;
	int rc;

	*count = 0;
	snprintf(limit, sizeof(limit), "%d", PAYMENTS_WORKER_BATCH);
	snprintf(lease, sizeof(lease), "%d", PAYMENTS_WORKER_LEASE_SECONDS);
	const char *params[] = {limit, lease};
	if ((rc = query_text(&text, w, sql, DB_PARAMS(params))) != CS_OK)
		return rc;
	list = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!json_is_array(list)) {
		json_decref(list);
		return CS_EINTERNAL;
	}
	*count = json_array_size(list);
	json_array_foreach(list, i, doc)
	{
		if (db_loop_stopping(w->running))
			break; /* the rest come back when their lease passes */
		if ((rc = finish(w, doc)) != CS_OK)
			break;
	}
	json_decref(list);
	return rc;
}

/* One round of the loop: every payment, then every refund, that is due a look. */
static bool payments_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct payments_worker *w = arg;
	size_t count = PAYMENTS_WORKER_BATCH;
	int rc = CS_OK;

	w->running = loop;
	w->conn = conn;
	while (rc == CS_OK && count == PAYMENTS_WORKER_BATCH && !db_loop_stopping(loop))
		rc = run_batch(&count, w, "SELECT portal_payments_due($1, $2)", finish_payment);
	count = PAYMENTS_WORKER_BATCH;
	while (rc == CS_OK && count == PAYMENTS_WORKER_BATCH && !db_loop_stopping(loop))
		rc = run_batch(&count, w, "SELECT payment_refunds_due($1, $2)", finish_refund);
	if (rc != CS_OK)
		LOG_WARN("payments worker: a round stopped early; the next one goes on");
	w->conn = NULL;
	return false;
}

int payments_worker_start(struct payments_worker **out, struct app *app)
{
	struct payments_worker *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return CS_ENOMEM;
	w->app = app;
	const struct db_loop_spec spec = {
	        .name = "payments worker",
	        .url = app->cfg.database_url,
	        .channel = "curbside_payments",
	        .poll_seconds = app->cfg.payments_poll_seconds,
	        .round = payments_round,
	        .arg = w,
	};
	if ((rc = db_loop_start(&w->loop, &spec)) != CS_OK) {
		free(w);
		return rc;
	}
	*out = w;
	return CS_OK;
}

void payments_worker_stop(struct payments_worker *w)
{
	if (!w)
		return;
	db_loop_stop(w->loop);
	free(w);
}
