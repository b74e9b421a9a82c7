/*
 * Card-testing limits (API.md rule 27): declined charges and new payment methods per portal user
 * and per account in a rolling hour (CURBSIDE_PAYMENT_DECLINES_PER_HOUR,
 * CURBSIDE_PAYMENT_METHODS_PER_HOUR). The exact check runs in SQL in the transaction of the write
 * it guards (db/migrations/0027_payment_velocity.sql); the check here runs it alone first, so an
 * attempt already past a limit never reaches the processor.
 */
#ifndef CURBSIDE_PAYMENTS_LIMITS_H
#define CURBSIDE_PAYMENTS_LIMITS_H

#include <stdbool.h>

#include "app.h"

/* Who attempts what. */
struct payments_attempt {
	const char *tenant_id;
	const char *customer_id; /* the account */
	const char *user_id;     /* the portal user */
	const char *claim_id;    /* the Idempotency-Key claim of a payment, or NULL */
	bool charge;             /* it charges: the decline limit applies */
	bool new_method;         /* it brings a new method (a token): the method limit applies */
};

/* The limits of `app`'s configuration as SQL parameters (decimal text). */
struct payments_limits {
	char declines[16];
	char methods[16];
};

void payments_limits_of(struct payments_limits *out, const struct app *app);

/*
 * CS_OK when `a` is within the limits; CS_ETHROTTLED (429 too_many_declines or
 * too_many_payment_methods, with Retry-After) when a limit is reached. A payment already made
 * under a->claim_id is a retry resuming it and always passes.
 */
int payments_limits_check(struct app *app, const struct payments_attempt *a) CS_MUST_CHECK;

#endif
