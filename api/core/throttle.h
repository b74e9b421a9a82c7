/*
 * Failure counting for login throttling: a fixed window per key ("tenant|email", "ip|1.2.3.4").
 * After `max_failures` failures inside `window` seconds the key is locked until the window that
 * began with its first failure ends. Attempts reserved and still in flight count against the
 * budget too (throttle_reserve). In memory, per process (see docs/decisions.md).
 */
#ifndef CURBSIDE_CORE_THROTTLE_H
#define CURBSIDE_CORE_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/error.h"

struct throttle;

/* A table of at most `capacity` keys (oldest windows are recycled first). NULL on failure. */
struct throttle *throttle_new(int max_failures, int window_seconds, size_t capacity);

/* Free the table (NULL-safe). */
void throttle_free(struct throttle *t);

/* 0 when `key` may try now; else the seconds until it may (for Retry-After). */
int throttle_check(struct throttle *t, const char *key, time_t now);

/* Count a failure for `key`. */
void throttle_fail(struct throttle *t, const char *key, time_t now);

/*
 * Reserve an attempt for `key` before the costly check it guards: 0 when reserved, else the
 * seconds until it may try (nothing reserved). An attempt in flight counts against the budget like
 * a failure, so `max_failures` simultaneous attempts are all a key gets; throttle_finish ends it.
 */
int throttle_reserve(struct throttle *t, const char *key, time_t now) CS_MUST_CHECK;

/* How a reserved attempt ended. */
enum throttle_outcome {
	THROTTLE_FAILED,    /* count a failure */
	THROTTLE_NEUTRAL,   /* nothing learnt (an error, a busy server): only end it */
	THROTTLE_SUCCEEDED, /* forget the key's failures */
};

/* End an attempt reserved with throttle_reserve. */
void throttle_finish(struct throttle *t, const char *key, time_t now,
                     enum throttle_outcome outcome);

/*
 * A sign-in attempt counted twice: under its account key ("staff|tenant|email") and its client
 * address, so neither guessing one account from many addresses nor many accounts from one address
 * gets far. Only a success resets the account key; the address keeps its count.
 */
struct throttle_pair {
	struct throttle *by_account;
	const char *account_key;
	struct throttle *by_address;
	const char *address_key;
};

/*
 * Record the 429 of a refused attempt: "Too many <what>. Try again in <seconds> seconds." with
 * Retry-After. Returns CS_ETHROTTLED.
 */
int throttle_refuse(int seconds, const char *what);

/*
 * Reserve a sign-in attempt under both keys (before hashing): CS_OK, or CS_ETHROTTLED with the
 * 429 problem and Retry-After set and nothing reserved. End it with throttle_pair_finish.
 */
int throttle_pair_reserve(const struct throttle_pair *p, time_t now) CS_MUST_CHECK;

/* End a reserved sign-in attempt; a success forgets only the account key's failures. */
void throttle_pair_finish(const struct throttle_pair *p, time_t now, enum throttle_outcome outcome);

#endif
