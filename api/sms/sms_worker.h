/*
 * The SMS worker: a background thread that sends the SMS outbox (db/migrations/0020).
 *
 * It keeps its own database connection listening on `curbside_sms` (a queued text goes out at
 * once) and polls every CURBSIDE_SMS_POLL_SECONDS for retries that have come due. Each round
 * claims due rows (FOR UPDATE SKIP LOCKED, under a lease); right before each send it asks the
 * database whether the account is still opted in with the row's number (sms_outbox_prepare):
 * if not, the row is marked `suppressed` and nothing is sent. A temporary failure is retried after
 * CURBSIDE_SMS_RETRY_SECONDS, four times longer each time, until the 6th attempt fails it. Any
 * number of processes may run one: none sends a row twice.
 */
#ifndef CURBSIDE_SMS_WORKER_H
#define CURBSIDE_SMS_WORKER_H

#include "core/error.h"

struct app;
struct sms_worker;

/* Attempts before a row is marked failed. */
#define SMS_WORKER_MAX_ATTEMPTS 6

/*
 * Start the worker thread for `app` (borrowed: it must outlive the worker). The thread blocks
 * every signal. *out is stopped and freed with sms_worker_stop. With text messages disabled
 * (config sms_enabled false) nothing starts and *out stays NULL.
 */
int sms_worker_start(struct sms_worker **out, struct app *app) CS_MUST_CHECK;

/* Ask the worker to stop, wait for it and free it (NULL-safe). Rows it claimed but did not try
 * are handed back. */
void sms_worker_stop(struct sms_worker *w);

#endif
