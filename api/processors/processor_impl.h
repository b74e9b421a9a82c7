/*
 * What an implementation of the payment processor provides (processor.c dispatches to it).
 * Each implementation embeds `struct processor` as its first member.
 */
#ifndef CURBSIDE_PROCESSOR_IMPL_H
#define CURBSIDE_PROCESSOR_IMPL_H

#include "processors/processor.h"

struct processor_ops {
	const char *name;
	int (*create_method)(struct processor *p, struct processor_method *out, const char *token);
	int (*charge)(struct processor *p, struct processor_charge *out, const char *method_ref,
	              long long amount_cents, const char *currency, const char *idempotency_key);
	int (*refund)(struct processor *p, struct processor_refund *out, const char *charge_ref,
	              long long amount_cents, const char *idempotency_key);
	int (*lookup_charge)(struct processor *p, struct processor_charge *out,
	                     const char *charge_ref);
	void (*close)(struct processor *p);
};

struct processor {
	const struct processor_ops *ops;
};

/* The in-process sandbox; ACH charges settle `ach_settle_seconds` after they were made. */
int processor_sandbox_open(struct processor **out, int ach_settle_seconds) CS_MUST_CHECK;

/* The HTTP client of a Stripe-compatible API at `url` with the secret `key`. */
int processor_stripe_open(struct processor **out, const char *url, const char *key,
                          int connect_timeout_ms, int timeout_ms) CS_MUST_CHECK;

/* Copy `src` into `dst` of `cap` bytes, truncated, always terminated (NULL copies ""). */
void processor_copy(char *dst, size_t cap, const char *src);

#endif
