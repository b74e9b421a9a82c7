/*
 * The webhooks worker: a background loop (db/loop.h) that delivers events to the endpoints that
 * want them (db/functions/webhooks.sql fans each event out in its own transaction).
 *
 * It LISTENs on `curbside_webhooks`, so a new event goes out at once, and polls every
 * CURBSIDE_WEBHOOK_POLL_SECONDS for retries that came due. It claims one delivery at a time with
 * FOR UPDATE SKIP LOCKED and a lease (never one whose endpoint has an earlier delivery pending
 * for the same object), POSTs it signed, and records the attempt; a failure is retried with
 * backoff for 3 days. `now` is the server's clock (CURBSIDE_CLOCK_FILE in tests). Any number of
 * processes may run one: a delivery is in flight in one of them at a time, and one whose worker
 * died is claimed again once its lease has passed (at least once).
 */
#ifndef CURBSIDE_WEBHOOKS_WORKER_H
#define CURBSIDE_WEBHOOKS_WORKER_H

#include "core/error.h"

struct app;
struct webhooks_worker;

/* A claim's lease beyond the attempt's own timeout: what a slow database round may take. */
#define WEBHOOKS_WORKER_LEASE_MARGIN_SECONDS 50

/*
 * Start the worker thread for `app` (borrowed: it must outlive the worker). *out is stopped and
 * freed with webhooks_worker_stop.
 */
int webhooks_worker_start(struct webhooks_worker **out, struct app *app) CS_MUST_CHECK;

/* Stop the worker (an attempt in flight is abandoned and handed back) and free it (NULL-safe). */
void webhooks_worker_stop(struct webhooks_worker *w);

#endif
