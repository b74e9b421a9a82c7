#include "sms/sms_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/retry.h"
#include "db/loop.h"
#include "sms/sms_transport.h"

#define BATCH      20
#define ERROR_SIZE 400
/* A claimed batch must be tried within this: 20 texts at the longest timeout (2 minutes) each. */
#define LEASE_SECONDS 2700

struct sms_worker {
	struct app *app;      /* borrowed */
	struct db_loop *loop; /* LISTENs on curbside_sms and runs the rounds */
	atomic_bool stopping; /* set before the loop stops: cancels a request in flight */
	struct sms_transport *transport;
	PGconn *conn; /* the loop's connection, during a round */
};

/* One claimed row. */
struct claimed_row {
	const char *id;
	int attempt;
	char attempt_s[16];
};

/* One statement of the round whose answer is one text cell (db_loop_query_text). */
static int query_text(char **out, struct sms_worker *w, const char *sql, const char *const *params,
                      int nparams)
{
	return db_loop_query_text(out, w->conn, "SMS worker", sql, params, nparams);
}

/* Run an outcome function (its answer says whether the row was still this claim's). */
static void record(struct sms_worker *w, const char *sql, const char *const *params, int nparams)
{
	char *answer = NULL;

	if (query_text(&answer, w, sql, params, nparams) == CS_OK && answer && strcmp(answer, "t"))
		LOG_WARN("SMS worker: text %s was claimed again before its outcome was recorded",
		         params[0]);
	free(answer);
}

static void mark_failed(struct sms_worker *w, const struct claimed_row *row, char *error,
                        bool final)
{
	char delay_s[16];
	bool give_up = final || row->attempt >= SMS_WORKER_MAX_ATTEMPTS;
	int delay = retry_delay(row->attempt, w->app->cfg.sms_retry_seconds);
	const char *params[] = {row->id, row->attempt_s, error, give_up ? NULL : delay_s};

	snprintf(delay_s, sizeof(delay_s), "%d", delay);
	phone_scrub(error);
	record(w, "SELECT sms_outbox_mark_failed($1, $2, $3, $4)", DB_PARAMS(params));
	if (give_up)
		LOG_ERROR("SMS worker: text %s failed for good after %d attempt(s): %s", row->id,
		          row->attempt, error);
	else
		LOG_WARN("SMS worker: text %s attempt %d failed, retry in %ds: %s", row->id,
		         row->attempt, delay, error);
}

/* Send the prepared text {to, body} of `row` and record the outcome. */
static void deliver(struct sms_worker *w, const struct claimed_row *row, const json_t *text)
{
	char ref[128], error[ERROR_SIZE], masked[24];
	struct sms_send msg = {
	        .id = row->id,
	        .to = json_string_value(json_object_get(text, "to")),
	        .body = json_string_value(json_object_get(text, "body")),
	        .ref = ref,
	        .ref_size = sizeof(ref),
	        .error = error,
	        .error_size = sizeof(error),
	};
	int rc = msg.to && msg.body ? sms_transport_send(w->transport, &msg) : CS_EINTERNAL;

	if (rc != CS_OK && atomic_load(&w->stopping)) {
		const char *params[] = {row->id, row->attempt_s};
		record(w, "SELECT sms_outbox_release($1, $2)", DB_PARAMS(params));
		return;
	}
	if (rc == CS_OK) {
		const char *params[] = {row->id, row->attempt_s, ref};
		record(w, "SELECT sms_outbox_mark_sent($1, $2, $3)", DB_PARAMS(params));
		phone_mask(masked, sizeof(masked), msg.to);
		LOG_INFO("SMS worker: sent text %s to %s (attempt %d, %s)", row->id, masked,
		         row->attempt, sms_transport_kind(w->transport));
		return;
	}
	if (rc == CS_EINTERNAL)
		snprintf(error, sizeof(error), "the prepared text has no number or body");
	mark_failed(w, row, error, rc != CS_EUNAVAILABLE);
}

/* Check consent again, right before sending: a row no longer consented is suppressed. */
static int send_row(struct sms_worker *w, const struct claimed_row *row)
{
	const char *params[] = {row->id, row->attempt_s};
	char *prepared = NULL;
	int rc = query_text(&prepared, w, "SELECT sms_outbox_prepare($1, $2)::text",
	                    DB_PARAMS(params));

	if (rc != CS_OK || !prepared)
		return rc; /* not this claim's any more, or the database failed */
	json_t *text = json_loads(prepared, 0, NULL);
	const char *suppressed = json_string_value(json_object_get(text, "suppressed"));
	if (suppressed)
		LOG_INFO("SMS worker: text %s suppressed (%s): not sent", row->id, suppressed);
	else if (text)
		deliver(w, row, text);
	json_decref(text);
	free(prepared);
	return text ? CS_OK : CS_EINTERNAL;
}

/* Send one claimed row {id, attempt}, or hand it back untried when the worker is stopping. */
static int take_row(struct sms_worker *w, struct db_loop *loop, const json_t *item)
{
	struct claimed_row row = {
	        .id = json_string_value(json_object_get(item, "id")),
	        .attempt = (int)json_integer_value(json_object_get(item, "attempt")),
	};

	if (!row.id)
		return CS_EINTERNAL;
	snprintf(row.attempt_s, sizeof(row.attempt_s), "%d", row.attempt);
	if (!db_loop_stopping(loop))
		return send_row(w, &row);
	const char *params[] = {row.id, row.attempt_s};
	record(w, "SELECT sms_outbox_release($1, $2)", DB_PARAMS(params));
	return CS_OK;
}

/* Claim one batch and send each row; *count how many were claimed. */
static int run_batch(size_t *count, struct sms_worker *w, struct db_loop *loop)
{
	static const char *const params[] = {"20", "2700"};
	_Static_assert(BATCH == 20 && LEASE_SECONDS == 2700, "params above");
	json_t *list = NULL, *item;
	size_t i;
	int rc = db_loop_query_array(&list, w->conn, "SMS worker",
	                             "SELECT sms_outbox_claim($1, $2)::text", DB_PARAMS(params));

	*count = rc == CS_OK ? json_array_size(list) : 0;
	json_array_foreach(list, i, item)
	{
		if ((rc = take_row(w, loop, item)) != CS_OK)
			break;
	}
	json_decref(list);
	return rc;
}

/* One round of the loop: batches until one is not full. */
static bool sms_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct sms_worker *w = arg;
	size_t count = BATCH;
	int rc = CS_OK;

	w->conn = conn;
	while (rc == CS_OK && count == BATCH && !db_loop_stopping(loop))
		rc = run_batch(&count, w, loop);
	if (rc != CS_OK)
		LOG_WARN("SMS worker: a round stopped early; the next one goes on");
	w->conn = NULL;
	return false;
}

static void worker_free(struct sms_worker *w)
{
	sms_transport_close(w->transport);
	free(w);
}

int sms_worker_start(struct sms_worker **out, struct app *app)
{
	struct sms_worker *w;
	int rc;

	*out = NULL;
	if (!app->cfg.sms_enabled) {
		LOG_INFO("SMS worker: off (no CURBSIDE_SMS_URL): service reminders answer 503");
		return CS_OK;
	}
	if (!(w = calloc(1, sizeof(*w))))
		return CS_ENOMEM;
	w->app = app;
	if ((rc = sms_transport_open(&w->transport, &app->cfg, &w->stopping)) != CS_OK) {
		LOG_ERROR("SMS worker: cannot open the %s",
		          *app->cfg.sms_url ? "SMS API client" : "SMS directory");
		worker_free(w);
		return rc;
	}
	const struct db_loop_spec spec = {
	        .name = "SMS worker",
	        .url = app->cfg.database_url,
	        .channel = "curbside_sms",
	        .poll_seconds = app->cfg.sms_poll_seconds,
	        .round = sms_round,
	        .arg = w,
	};
	if ((rc = db_loop_start(&w->loop, &spec)) != CS_OK) {
		worker_free(w);
		return rc;
	}
	if (*app->cfg.sms_url)
		LOG_INFO("SMS worker: sending through the SMS API");
	else
		LOG_INFO("SMS worker: no CURBSIDE_SMS_URL, writing texts to %s", app->cfg.sms_dir);
	*out = w;
	return CS_OK;
}

void sms_worker_stop(struct sms_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, true);
	db_loop_stop(w->loop);
	worker_free(w);
}
