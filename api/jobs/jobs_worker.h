/*
 * The jobs worker: a background thread that runs queued jobs (today the bulk invitation of API.md
 * rule 11; db/migrations/0010_invitations.sql).
 *
 * It keeps its own database connection (not one of the request pool's) listening on
 * `curbside_jobs`, so a queued job starts at once; it also polls every few seconds for a job whose
 * worker died (its lease ran out). A job is claimed with FOR UPDATE SKIP LOCKED and a lease, then
 * run in batches of customers, one transaction each: every batch moves the progress counters, the
 * resume point and the lease together, so GET /v1/admin/jobs/{id} shows progress and a job picked
 * up after a crash goes on after the last batch that committed. Any number of processes may run
 * one: none runs a batch twice.
 */
#ifndef CURBSIDE_JOBS_WORKER_H
#define CURBSIDE_JOBS_WORKER_H

#include "core/error.h"

struct app;
struct jobs_worker;

/* Customers invited per transaction. */
#define JOBS_WORKER_BATCH 100
/* How long a claimed job stays this worker's without progress. */
#define JOBS_WORKER_LEASE_SECONDS 60
/* Seconds between looks for abandoned jobs (new ones wake the worker at once). */
#define JOBS_WORKER_POLL_SECONDS 5

/*
 * Start the worker thread for `app` (borrowed: it must outlive the worker). The thread blocks
 * every signal. *out is stopped and freed with jobs_worker_stop.
 */
int jobs_worker_start(struct jobs_worker **out, struct app *app) CS_MUST_CHECK;

/* Ask the worker to stop, wait for it (after its current batch) and free it (NULL-safe). A job it
 * was running is handed back for another worker to resume. */
void jobs_worker_stop(struct jobs_worker *w);

#endif
