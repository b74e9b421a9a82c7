/*
 * The mail worker: a background thread that sends the outbox (db/migrations/0008, 0012).
 *
 * It keeps its own database connection (not one of the request pool's) listening on
 * `curbside_outbox`, so a queued email goes out at once; it also polls every
 * CURBSIDE_MAIL_POLL_SECONDS for retries that have come due. Each round claims up to 20 due rows
 * (FOR UPDATE SKIP LOCKED, with a lease), renders and sends each, then marks it sent or schedules
 * a retry (CURBSIDE_MAIL_RETRY_SECONDS, then four times longer each time, at most 6 hours) until
 * the 8th attempt fails it. Any number of processes may run one: none sends a row twice.
 */
#ifndef CURBSIDE_MAIL_WORKER_H
#define CURBSIDE_MAIL_WORKER_H

#include "core/error.h"

struct app;
struct mail_worker;

/* Attempts before a row is marked failed. */
#define MAIL_WORKER_MAX_ATTEMPTS 8

/*
 * Start the worker thread for `app` (borrowed: it must outlive the worker). The thread blocks
 * every signal. *out is stopped and freed with mail_worker_stop.
 */
int mail_worker_start(struct mail_worker **out, struct app *app) CS_MUST_CHECK;

/* Ask the worker to stop, wait for it (within about a second) and free it (NULL-safe). Rows it
 * had claimed but not tried are handed back. */
void mail_worker_stop(struct mail_worker *w);

#endif
