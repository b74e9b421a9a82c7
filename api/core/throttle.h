/*
 * Failure counting for login throttling: a fixed window per key ("tenant|email", "ip|1.2.3.4").
 * After `max_failures` failures inside `window` seconds the key is locked until the window that
 * began with its first failure ends. In memory, per process (see docs/decisions.md).
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

/* Forget `key` (after a success). */
void throttle_reset(struct throttle *t, const char *key);

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

/* CS_OK when both keys may try now; else CS_ETHROTTLED with the 429 problem and Retry-After set. */
int throttle_pair_check(const struct throttle_pair *p, time_t now) CS_MUST_CHECK;

/* Count a failed attempt under both keys. */
void throttle_pair_fail(const struct throttle_pair *p, time_t now);

/* Forget the account key's failures after a success. */
void throttle_pair_succeed(const struct throttle_pair *p);

#endif
