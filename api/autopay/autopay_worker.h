/*
 * The autopay scheduler (API.md rule 19): a background loop (api/db/loop.h) in every
 * `curbside serve` and `curbside worker`. Each round takes `now` from the autopay clock, walks
 * the enrolled customers in batches (autopay_claim of db/migrations/0021_autopay.sql: FOR UPDATE
 * SKIP LOCKED, each due customer's charge reserved as a pending payment in the same
 * transaction), charges each with no transaction open through the portal payments' machinery
 * (payments_charge_reserved, the processor key 'autopay-' || payment id) and settles the batch
 * (portal_payment_settle; a trigger keeps the autopay state and sends the emails). A charge whose
 * outcome is unknown, or a process that dies mid-batch, leaves pending payments that the payments
 * worker finishes once their lease passes: the processor replays, nothing is charged twice. Any
 * number of processes may run it on one database, and each runs cfg.autopay_lanes loops side by
 * side the same way. NOTIFY curbside_autopay wakes it at once.
 */
#ifndef CURBSIDE_AUTOPAY_WORKER_H
#define CURBSIDE_AUTOPAY_WORKER_H

#include "core/error.h"

struct app;
struct autopay_worker;

/* A reserved charge is this scheduler's for this long before the payments worker may finish it
 * (a batch's processor calls are bounded well within). */
#define AUTOPAY_WORKER_LEASE_SECONDS 300

/* Start the scheduler for `app` (borrowed: it must outlive it); runs every
 * cfg.autopay_poll_seconds, claiming cfg.autopay_batch customers at a time. *out is stopped and
 * freed with autopay_worker_stop. */
int autopay_worker_start(struct autopay_worker **out, struct app *app) CS_MUST_CHECK;

/* Ask the scheduler to stop, wait for it (after the batch in hand) and free it (NULL-safe). */
void autopay_worker_stop(struct autopay_worker *w);

#endif
