/*
 * The payment processor: saves payment methods from browser tokens, charges them with an
 * idempotency key, refunds and looks charges up. Two implementations behind one interface:
 * `sandbox` (in-process and deterministic, no storage: every ref encodes what lookup needs) and
 * `stripe` (an HTTP client over libcurl for a Stripe-compatible subset; see docs/decisions.md).
 *
 * One processor per process, made from the configuration by processor_open and shared by every
 * thread (thread-safe). Results are written into caller-owned structs; nothing to free.
 */
#ifndef CURBSIDE_PROCESSOR_H
#define CURBSIDE_PROCESSOR_H

#include "config.h"
#include "core/error.h"

enum processor_charge_status {
	PROCESSOR_SUCCEEDED,
	PROCESSOR_PENDING, /* ACH in flight */
	PROCESSOR_FAILED,  /* declined or returned */
};

/* A saved payment method as the processor describes it. */
struct processor_method {
	char ref[128];      /* the processor's id of the method (pm_...) */
	char type[16];      /* "card" | "bank_account" */
	char brand[32];     /* "visa", "mastercard", "amex"; "" for banks */
	char last4[5];      /* last four digits of the card or account number */
	int exp_month;      /* 1-12; 0 for banks */
	int exp_year;       /* four digits; 0 for banks */
	char bank_name[64]; /* "" for cards */
};

struct processor_charge {
	char ref[128]; /* the processor's id of the charge (pi_...) */
	enum processor_charge_status status;
	char failure_code[64];     /* when FAILED: card_declined, insufficient_funds, ... */
	char failure_message[256]; /* when FAILED: a sentence the customer can read */
};

struct processor_refund {
	char ref[128]; /* the processor's id of the refund (re_...) */
	enum processor_charge_status status;
};

struct processor; /* opaque; thread-safe; one per process, made from config */

/* Make the processor that cfg->payments names; *out is released by processor_close. */
int processor_open(struct processor **out, const struct config *cfg) CS_MUST_CHECK;

/* Release a processor (NULL-safe). */
void processor_close(struct processor *p);

/* "sandbox" | "stripe": stored with each payment method. Static storage. */
const char *processor_name(const struct processor *p);

/*
 * Each returns CS_OK; CS_EINVALID (with cs_error_set code invalid_payment_token etc.) for a token
 * or method the processor refuses; CS_EUPSTREAM for timeouts, 5xx, network errors and any answer
 * whose outcome is unknown (the caller retries with the same idempotency key). A decline is NOT
 * an error: CS_OK with status PROCESSOR_FAILED and failure_code/message filled.
 *
 * The same idempotency key always yields the same charge (same ref and outcome), never a second
 * charge, in the sandbox too. `currency` is an ISO 4217 code in either case ("usd" or "USD");
 * it is sent in lower case. Amounts are integer cents, > 0.
 */
int processor_create_method(struct processor *p, struct processor_method *out,
                            const char *token) CS_MUST_CHECK;
int processor_charge(struct processor *p, struct processor_charge *out, const char *method_ref,
                     long long amount_cents, const char *currency,
                     const char *idempotency_key) CS_MUST_CHECK;
int processor_refund(struct processor *p, struct processor_refund *out, const char *charge_ref,
                     long long amount_cents, const char *idempotency_key) CS_MUST_CHECK;
int processor_lookup_charge(struct processor *p, struct processor_charge *out,
                            const char *charge_ref) CS_MUST_CHECK;

#endif
