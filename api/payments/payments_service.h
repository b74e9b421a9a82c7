/*
 * Payments received outside the portal (check, cash, other), their allocations to invoices and
 * their refunds, as hauler staff and integrators record them. Every function is scoped by the
 * caller's tenant: another tenant's customer or payment is simply not found. The money rules live
 * in the SQL functions (db/migrations/0007_back_office_writes.sql); these calls pass the validated
 * request through.
 */
#ifndef CURBSIDE_PAYMENTS_SERVICE_H
#define CURBSIDE_PAYMENTS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"

#include "db/pool.h"
#include "http/params.h"

/* One page of a customer's payments, newest payment date first; *out (caller frees) is
 * {items, next_cursor}. CS_ENOTFOUND when the tenant has no such customer. */
int payments_list(char **out, struct db_pool *db, const char *tenant_id, const char *customer_id,
                  const struct list_params *page) CS_MUST_CHECK;

/* One payment with its allocations and refunds; *out (caller frees). */
int payments_get(char **out, struct db_pool *db, const char *tenant_id,
                 const char *payment_id) CS_MUST_CHECK;

/*
 * Record a payment from a validated body and apply it (to its `allocations`, or oldest due first
 * when the body has none); the answer is stored under the idempotency claim `claim_id` in the same
 * transaction. *out (caller frees) is the payment as stored.
 */
int payments_record(char **out, struct db_pool *db, const char *tenant_id, const json_t *body,
                    const char *claim_id) CS_MUST_CHECK;

/* What a refund request answers, as stored under its idempotency claim. */
struct payments_refund_answer {
	int status;    /* 201, or 422 refund_failed (the processor refused it) */
	char *body;    /* owned: the refund with the payment as it stands, or the problem */
	bool reserved; /* a processor refund exists under the claim: on failure yield the claim
	                  (a retry resumes that refund with the same processor key) */
};

/*
 * Refund (part of) a payment from a validated body ({amount_cents?, reason?}); stored under
 * `claim_id` as payments_record. An offline payment is refunded in one statement; a payment
 * charged through the processor is reserved (refund `pending`), refunded at the processor with no
 * connection held, then settled (db/migrations/0018). CS_EUPSTREAM when the processor's answer is
 * unknown. *out is released with payments_refund_answer_release in every case.
 */
int payments_refund(struct payments_refund_answer *out, struct app *app, const char *tenant_id,
                    const char *payment_id, const json_t *body, const char *claim_id) CS_MUST_CHECK;

void payments_refund_answer_release(struct payments_refund_answer *a);

#endif
