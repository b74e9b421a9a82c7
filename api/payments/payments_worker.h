/*
 * The payments worker: a background thread (api/db/loop.h) that finishes processor payments the
 * requests left pending (db/migrations/0018_portal_payments.sql, portal_payments_due):
 *   - a bank (ACH) payment in flight, with a charge at the processor: looked up until it settles
 *     (succeeded: receipt email; returned: allocations reversed, the invoices owe again, a
 *     payment_failed email) — still pending, looked at again after the poll interval;
 *   - a payment whose request died before it knew the outcome and whose idempotency claim has
 *     lapsed: charged with its own processor key (the processor replays a charge it already
 *     made, never charges twice), then settled;
 *   - a processor refund (POST /v1/admin/payments/{id}/refund) whose request died the same way:
 *     refunded again with its own key, then settled.
 * Settling is idempotent, so a request and the worker may both settle one payment. Payments are
 * claimed with FOR UPDATE SKIP LOCKED and a lease (their next look pushed ahead): any number of
 * processes may run one. Its own connection is not in a transaction during a processor call.
 */
#ifndef CURBSIDE_PAYMENTS_WORKER_H
#define CURBSIDE_PAYMENTS_WORKER_H

#include "core/error.h"

struct app;
struct payments_worker;

/* Payments claimed per statement. */
#define PAYMENTS_WORKER_BATCH 20
/* A claimed payment is this worker's for this long (processor calls are bounded well within). */
#define PAYMENTS_WORKER_LEASE_SECONDS 120

/* Start the worker for `app` (borrowed: it must outlive the worker); polls every
 * cfg.payments_poll_seconds. *out is stopped and freed with payments_worker_stop. */
int payments_worker_start(struct payments_worker **out, struct app *app) CS_MUST_CHECK;

/* Ask the worker to stop, wait for it (after the payment in hand) and free it (NULL-safe). */
void payments_worker_stop(struct payments_worker *w);

#endif
