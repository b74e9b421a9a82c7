#include "autopay/autopay_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/loop.h"
#include "payments/payments_charge.h"

struct autopay_worker {
	struct app *app;
	int lanes;              /* loops in use */
	struct db_loop **loops; /* owned: one per lane, stopped by autopay_worker_stop */
};

/* What one round did, for its log line. */
struct round_counts {
	size_t succeeded, pending, failed, unknown;
};

/* One statement of the round whose answer is one text cell (db_loop_query_text). */
static int query_text(char **out, PGconn *conn, const char *sql, const char *const *params,
                      int nparams)
{
	return db_loop_query_text(out, conn, "autopay scheduler", sql, params, nparams);
}

/* Charge one reserved payment; add {payment_id, outcome} to `items` unless its outcome is
 * unknown (the payments worker finishes it after the lease). */
static int charge_one(json_t *items, struct round_counts *counts, struct app *app,
                      const json_t *doc)
{
	struct processor_charge charge;
	json_t *id = json_object_get(doc, "payment_id");

	if (payments_charge_reserved(&charge, app->processor, doc) != CS_OK) {
		counts->unknown++;
		return CS_OK;
	}
	json_t *outcome = payments_outcome_doc(&charge, app->cfg.payments_poll_seconds);
	if (!outcome || json_array_append_new(items, json_pack("{s:O, s:o}", "payment_id", id,
	                                                       "outcome", outcome)))
		return CS_ENOMEM;
	if (charge.status == PROCESSOR_SUCCEEDED)
		counts->succeeded++;
	else if (charge.status == PROCESSOR_PENDING)
		counts->pending++;
	else
		counts->failed++;
	return CS_OK;
}

/* Settle what the processor said about a batch, in one transaction. */
static int settle_batch(PGconn *conn, const json_t *items)
{
	char *text = NULL, *ignored = NULL;
	int rc;

	if (json_array_size(items) == 0)
		return CS_OK;
	if (!(text = json_dumps(items, JSON_COMPACT)))
		return CS_ENOMEM;
	const char *params[] = {text};
	rc = query_text(&ignored, conn, "SELECT autopay_settle($1::jsonb)", DB_PARAMS(params));
	free(text);
	free(ignored);
	return rc;
}

/* Charge and settle the claimed batch `charges`. */
static int charge_batch(struct round_counts *counts, struct autopay_worker *w, PGconn *conn,
                        const json_t *charges)
{
	json_t *items = json_array(), *doc;
	size_t i;
	int rc = items ? CS_OK : CS_ENOMEM;

	json_array_foreach(charges, i, doc)
	{
		if (rc == CS_OK)
			rc = charge_one(items, counts, w->app, doc);
	}
	if (rc == CS_OK)
		rc = settle_batch(conn, items);
	json_decref(items);
	return rc;
}

/* Claim the batch after `after` (NULL: the first); *last is the last customer looked at (NULL:
 * none left; caller frees), *charges the reserved charges (caller decrefs). */
static int claim_batch(char **last, json_t **charges, struct autopay_worker *w, PGconn *conn,
                       const char *now, const char *after)
{
	char limit[16], lease[16], *text = NULL;
	json_t *doc;

	*last = NULL;
	*charges = NULL;
	snprintf(limit, sizeof(limit), "%d", w->app->cfg.autopay_batch);
	snprintf(lease, sizeof(lease), "%d", AUTOPAY_WORKER_LEASE_SECONDS);
	const char *params[] = {now, after, limit, processor_name(w->app->processor), lease};
	int rc = query_text(&text, conn,
	                    "SELECT autopay_claim($1::timestamptz, $2::uuid, $3, $4, $5)",
	                    DB_PARAMS(params));
	if (rc != CS_OK)
		return rc;
	doc = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!json_is_array(json_object_get(doc, "charges"))) {
		json_decref(doc);
		return CS_EINTERNAL;
	}
	const char *id = json_string_value(json_object_get(doc, "last"));
	*last = id ? strdup(id) : NULL;
	*charges = json_incref(json_object_get(doc, "charges"));
	json_decref(doc);
	return id && !*last ? CS_ENOMEM : CS_OK;
}

/* Walk every enrolled customer once, batch by batch, as of `now`. */
static int run_round(struct round_counts *counts, struct autopay_worker *w, struct db_loop *loop,
                     PGconn *conn, const char *now)
{
	char *after = NULL, *last = NULL;
	json_t *charges = NULL;
	int rc = CS_OK;

	while (rc == CS_OK && !db_loop_stopping(loop)) {
		if ((rc = claim_batch(&last, &charges, w, conn, now, after)) != CS_OK || !last)
			break;
		rc = charge_batch(counts, w, conn, charges);
		json_decref(charges);
		charges = NULL;
		free(after);
		after = last;
		last = NULL;
	}
	json_decref(charges);
	free(after);
	free(last);
	return rc;
}

static bool autopay_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct autopay_worker *w = arg;
	struct round_counts counts = {0};
	char now[CLOCK_TEXT_SIZE];

	if (clock_now_text(now, w->app->cfg.clock_file) != CS_OK) {
		LOG_WARN("autopay scheduler: the clock file does not hold an instant; no round");
		return false;
	}
	if (run_round(&counts, w, loop, conn, now) != CS_OK)
		LOG_WARN("autopay scheduler: a round stopped early; the next one goes on");
	if (counts.succeeded + counts.pending + counts.failed + counts.unknown)
		LOG_INFO("autopay scheduler: round done: %zu charged, %zu in flight, %zu failed, "
		         "%zu left to the payments worker",
		         counts.succeeded, counts.pending, counts.failed, counts.unknown);
	return false;
}

int autopay_worker_start(struct autopay_worker **out, struct app *app)
{
	struct autopay_worker *w = calloc(1, sizeof(*w));
	int rc = CS_OK;

	*out = NULL;
	if (!w || !(w->loops = calloc((size_t)app->cfg.autopay_lanes, sizeof(*w->loops)))) {
		free(w);
		return CS_ENOMEM;
	}
	w->app = app;
	const struct db_loop_spec spec = {
	        .name = "autopay scheduler",
	        .url = app->cfg.database_url,
	        .channel = "curbside_autopay",
	        .poll_seconds = app->cfg.autopay_poll_seconds,
	        .round = autopay_round,
	        .arg = w,
	};
	/* Each lane is a loop of its own with its own connection: woken together, they claim
	 * disjoint batches (SKIP LOCKED) and keep that many cores of the database busy. */
	for (; w->lanes < app->cfg.autopay_lanes && rc == CS_OK; w->lanes++)
		rc = db_loop_start(&w->loops[w->lanes], &spec);
	if (rc != CS_OK) {
		w->lanes--; /* the failed one holds nothing */
		autopay_worker_stop(w);
		return rc;
	}
	*out = w;
	return CS_OK;
}

void autopay_worker_stop(struct autopay_worker *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->lanes; i++)
		db_loop_stop(w->loops[i]);
	free(w->loops);
	free(w);
}
