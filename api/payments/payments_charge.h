/*
 * Charging a payment reserved in the database (db/migrations/0018_portal_payments.sql) and turning
 * the processor's answer into the outcome portal_payment_settle records. Shared by the portal's
 * POST /v1/portal/payments and the payments worker, which finishes what a request left pending.
 * Nothing here touches the database.
 */
#ifndef CURBSIDE_PAYMENTS_CHARGE_H
#define CURBSIDE_PAYMENTS_CHARGE_H

#include <jansson.h>

#include "processors/processor.h"

/*
 * Charge the payment `doc` describes (portal_payment_charge_json: amount_cents, currency,
 * method_ref, processor_key) with its own processor key, so a repeat replays the first charge.
 * Errors as processor_charge; a method the processor refuses (CS_EINVALID) is answered as a
 * FAILED charge with its reason instead, since no money can move.
 */
int payments_charge_reserved(struct processor_charge *out, struct processor *p,
                             const json_t *doc) CS_MUST_CHECK;

/* The outcome document of `c` for portal_payment_settle ({status, charge_ref, failure_code,
 * failure_message, recheck_seconds}); NULL on exhaustion. The caller owns it. */
json_t *payments_outcome_doc(const struct processor_charge *c, int recheck_seconds);

/*
 * Refund the reserved refund `doc` describes (refund_processor_json: charge_ref, amount_cents,
 * processor_key) with its own key, so a repeat replays the first refund. Errors as
 * processor_refund; a refund the processor refuses (CS_EINVALID) is answered as a FAILED refund
 * with its reason in `failure` (`size` bytes; "" otherwise).
 */
int payments_refund_reserved(struct processor_refund *out, char *failure, size_t size,
                             struct processor *p, const json_t *doc) CS_MUST_CHECK;

/* The outcome document of `r` for payment_refund_settle ({status, refund_ref?,
 * failure_message?}); NULL on exhaustion. The caller owns it. */
json_t *payments_refund_outcome_doc(const struct processor_refund *r, const char *failure);

#endif
