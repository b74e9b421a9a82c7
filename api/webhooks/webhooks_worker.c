#include "webhooks/webhooks_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/loop.h"
#include "webhooks/webhooks_sender.h"

#define WHO "webhooks worker"

struct webhooks_worker {
	struct app *app;
	struct db_loop *loop; /* owned: stopped by webhooks_worker_stop */
	PGconn *conn;         /* during a round: the loop's connection */
	atomic_bool cancel;   /* set by webhooks_worker_stop: an attempt in flight ends */
	bool curl_ready;
};

/* A claimed delivery, borrowed from the claim's JSON. */
struct claimed {
	const char *delivery_id, *attempt, *url, *nonce, *previous_nonce, *event_id, *event_type,
	        *body;
};

static int query_text(char **out, struct webhooks_worker *w, const char *sql,
                      const char *const *params, int nparams)
{
	return db_loop_query_text(out, w->conn, WHO, sql, params, nparams);
}

static int query_run(struct webhooks_worker *w, const char *sql, const char *const *params,
                     int nparams)
{
	char *ignored = NULL;
	int rc = query_text(&ignored, w, sql, params, nparams);

	free(ignored);
	return rc;
}

static int now_text(char now[CLOCK_TEXT_SIZE], const struct webhooks_worker *w)
{
	if (clock_now_text(now, w->app->cfg.clock_file) == CS_OK)
		return CS_OK;
	LOG_ERROR(WHO ": the clock file does not hold an instant");
	return CS_EINTERNAL;
}

/* The signature header for `c` at the real time (the receiver compares it with its own clock). */
static int sign(char **out, const struct webhooks_worker *w, const struct claimed *c)
{
	char current[WEBHOOKS_SECRET_SIZE], previous[WEBHOOKS_SECRET_SIZE];
	const char *secrets[] = {current, previous};
	const char *key = w->app->cfg.webhook_signing_key;
	int rc;

	*out = NULL;
	if ((rc = webhooks_secret(current, key, c->nonce)) != CS_OK)
		return rc;
	if (c->previous_nonce && (rc = webhooks_secret(previous, key, c->previous_nonce)) != CS_OK)
		return rc;
	rc = webhooks_signature(out, (long long)time(NULL), c->body, secrets,
	                        c->previous_nonce ? 2 : 1);
	explicit_bzero(current, sizeof(current));
	explicit_bzero(previous, sizeof(previous));
	return rc;
}

/* The answer's excerpt as text PostgreSQL takes: control bytes and non-ASCII become '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 127 ||
		    ((unsigned char)*s < ' ' && *s != '\n' && *s != '\t'))
			*s = '?';
}

static int record(struct webhooks_worker *w, const struct claimed *c, struct webhooks_attempt *a)
{
	char now[CLOCK_TEXT_SIZE], status[16], latency[24];
	int rc;

	if ((rc = now_text(now, w)) != CS_OK)
		return rc;
	snprintf(status, sizeof(status), "%ld", a->http_status);
	snprintf(latency, sizeof(latency), "%ld", a->latency_ms);
	printable(a->excerpt);
	const char *params[] = {c->delivery_id,
	                        c->attempt,
	                        now,
	                        a->success ? "true" : "false",
	                        a->http_status ? status : NULL,
	                        a->error[0] ? a->error : NULL,
	                        latency,
	                        a->excerpt[0] ? a->excerpt : NULL};
	return query_run(w,
	                 "SELECT webhook_attempt_record($1, $2::int, $3::timestamptz, $4::boolean, "
	                 "$5::int, $6, $7::int, $8)",
	                 DB_PARAMS(params));
}

/* Hand a delivery back untried (the worker is stopping). */
static int release(struct webhooks_worker *w, const struct claimed *c)
{
	char now[CLOCK_TEXT_SIZE];
	int rc = now_text(now, w);

	if (rc != CS_OK)
		return rc;
	const char *params[] = {c->delivery_id, c->attempt, now};
	return query_run(w, "SELECT webhook_release($1, $2::int, $3::timestamptz)",
	                 DB_PARAMS(params));
}

static int deliver(struct webhooks_worker *w, const struct claimed *c)
{
	const struct config *cfg = &w->app->cfg;
	const struct webhooks_send_options opt = {
	        .connect_timeout_ms = cfg->webhook_connect_timeout_ms,
	        .timeout_ms = cfg->webhook_timeout_ms,
	        .allow_private = cfg->webhook_allow_private,
	        .cancel = &w->cancel,
	};
	struct webhooks_attempt a = {.url = c->url,
	                             .body = c->body,
	                             .event_id = c->event_id,
	                             .event_type = c->event_type};
	char *signature = NULL;
	int rc;

	if ((rc = sign(&signature, w, c)) != CS_OK)
		return rc;
	a.signature = signature;
	rc = webhooks_send(&a, &opt);
	free(signature);
	if (rc != CS_OK)
		return rc;
	if (a.cancelled)
		return release(w, c);
	if (!a.success)
		LOG_INFO(WHO ": delivery %s attempt %s failed (%s%ld)", c->delivery_id, c->attempt,
		         a.refused ? "refused, " : "", a.http_status);
	return record(w, c, &a);
}

static const char *member(const json_t *item, const char *key)
{
	return json_string_value(json_object_get(item, key));
}

/* Make the attempt of claimed delivery `item` (an element of webhook_claim's array). */
static int deliver_item(struct webhooks_worker *w, const json_t *item)
{
	char attempt[16];

	snprintf(attempt, sizeof(attempt), "%lld",
	         (long long)json_integer_value(json_object_get(item, "attempt")));
	const struct claimed c = {
	        .delivery_id = member(item, "delivery_id"),
	        .attempt = attempt,
	        .url = member(item, "url"),
	        .nonce = member(item, "nonce"),
	        .previous_nonce = member(item, "previous_nonce"),
	        .event_id = member(item, "event_id"),
	        .event_type = member(item, "event_type"),
	        .body = member(item, "body"),
	};
	if (!c.delivery_id || !c.url || !c.nonce || !c.event_id || !c.event_type || !c.body)
		return CS_EINTERNAL;
	return deliver(w, &c);
}

/* Claim one due delivery and make its attempt; *claimed false when none was due. */
static int deliver_one(bool *claimed, struct webhooks_worker *w)
{
	char now[CLOCK_TEXT_SIZE], lease[16];
	json_t *list = NULL, *item;
	int rc;

	*claimed = false;
	if ((rc = now_text(now, w)) != CS_OK)
		return rc;
	snprintf(lease, sizeof(lease), "%d",
	         w->app->cfg.webhook_timeout_ms / 1000 + WEBHOOKS_WORKER_LEASE_MARGIN_SECONDS);
	const char *params[] = {now, lease};
	if ((rc = db_loop_query_array(&list, w->conn, WHO,
	                              "SELECT webhook_claim($1::timestamptz, $2::int, 1)",
	                              DB_PARAMS(params))) != CS_OK)
		return rc;
	if ((item = json_array_get(list, 0))) {
		*claimed = true;
		rc = deliver_item(w, item);
	}
	json_decref(list);
	return rc;
}

/* One round of the loop: every delivery that is due. */
static bool webhooks_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct webhooks_worker *w = arg;
	bool claimed = true;
	int rc = CS_OK;

	w->conn = conn;
	while (claimed && rc == CS_OK && !db_loop_stopping(loop))
		rc = deliver_one(&claimed, w);
	if (rc != CS_OK)
		LOG_WARN(WHO ": a round stopped early; the next one goes on");
	w->conn = NULL;
	return false;
}

int webhooks_worker_start(struct webhooks_worker **out, struct app *app)
{
	struct webhooks_worker *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return CS_ENOMEM;
	w->app = app;
	atomic_init(&w->cancel, false);
	if ((rc = webhooks_sender_init()) != CS_OK)
		goto out;
	w->curl_ready = true;
	const struct db_loop_spec spec = {
	        .name = WHO,
	        .url = app->cfg.database_url,
	        .channel = "curbside_webhooks",
	        .poll_seconds = app->cfg.webhook_poll_seconds,
	        .round = webhooks_round,
	        .arg = w,
	};
	if ((rc = db_loop_start(&w->loop, &spec)) != CS_OK)
		goto out;
	*out = w;
	return CS_OK;
out:
	webhooks_worker_stop(w);
	return rc;
}

void webhooks_worker_stop(struct webhooks_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->cancel, true);
	db_loop_stop(w->loop);
	if (w->curl_ready)
		webhooks_sender_cleanup();
	free(w);
}
