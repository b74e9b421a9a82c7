/*
 * Paying from the portal (API.md rule 17): the selected account pays its whole balance, chosen
 * invoices or a part, with a saved method or a processor token. Reserve in the database, charge
 * with no connection held, settle in the database (db/migrations/0018_portal_payments.sql; the
 * money rules and the plan live there).
 */
#ifndef CURBSIDE_PORTAL_PAYMENTS_SERVICE_H
#define CURBSIDE_PORTAL_PAYMENTS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"

/* What the request answers, as stored under its idempotency claim. */
struct portal_payment_answer {
	int status;    /* 201 (succeeded or pending) or 402 (declined) */
	char *body;    /* owned: the payment, or the payment_declined problem */
	bool reserved; /* a payment exists under the claim: on failure yield the claim, never
	                  release it (a retry must resume that payment, not charge anew) */
};

/*
 * Portal user `user_id` pays for the account `customer_id` from a validated body
 * ({payment_method_id | payment_token, save?, invoice_ids?, amount_cents?}) under the idempotency
 * claim `claim_id`. A token becomes a method at the processor first (CS_EINVALID on payment_token
 * when it refuses it). CS_OK with out->status 201 or 402; CS_ETHROTTLED (429 too_many_declines or
 * too_many_payment_methods, nothing written) past the card-testing limits; CS_EUPSTREAM (502
 * processor_unavailable) when the processor's answer is unknown: the payment stays pending and a
 * retry with the same claim resumes it. *out is released with portal_payment_answer_release in
 * every case.
 */
int portal_payments_pay(struct portal_payment_answer *out, struct app *app, const char *tenant_id,
                        const char *customer_id, const char *user_id, const json_t *body,
                        const char *claim_id) CS_MUST_CHECK;

void portal_payment_answer_release(struct portal_payment_answer *a);

#endif
