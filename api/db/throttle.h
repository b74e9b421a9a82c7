/*
 * Failure counting for sign-in and link throttling: a fixed window per key ("portal|tenant|email",
 * "addr|1.2.3.4"). After `max_failures` failures inside `window` seconds the key is locked until
 * the window that began with its first failure ends. Attempts reserved and still in flight count
 * against the budget too. The counts live in PostgreSQL (db/functions/throttle.sql), so every API
 * process shares them: a guesser gains nothing by spreading attempts over processes.
 */
#ifndef CURBSIDE_DB_THROTTLE_H
#define CURBSIDE_DB_THROTTLE_H

#include "core/error.h"
#include "db/pool.h"

struct throttle;

/*
 * A throttle named `name` (it prefixes every key, so throttles never share counts) over `db`
 * (borrowed). NULL when out of memory.
 */
struct throttle *throttle_new(struct db_pool *db, const char *name, int max_failures,
                              int window_seconds);

/* Free the throttle (NULL-safe). */
void throttle_free(struct throttle *t);

/*
 * Reserve an attempt for `key` before the costly check it guards: CS_OK with *wait 0 when
 * reserved, else *wait is the seconds until it may try (nothing reserved). An attempt in flight
 * counts against the budget like a failure, so `max_failures` simultaneous attempts are all a key
 * gets; throttle_finish ends it. CS_EDB (and friends) when the database cannot say.
 */
int throttle_reserve(int *wait, struct throttle *t, const char *key) CS_MUST_CHECK;

/* How a reserved attempt ended. */
enum throttle_outcome {
	THROTTLE_FAILED,    /* count a failure */
	THROTTLE_NEUTRAL,   /* nothing learnt (an error, a busy server): only end it */
	THROTTLE_SUCCEEDED, /* forget the key's failures */
};

/*
 * End an attempt reserved with throttle_reserve. Best effort: when the database cannot record it,
 * the attempt stops counting as in flight a minute after it was reserved.
 */
void throttle_finish(struct throttle *t, const char *key, enum throttle_outcome outcome);

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
 * Reserve an attempt for `key` and refuse it as "Too many <what>" when the key must wait: CS_OK
 * when reserved, CS_ETHROTTLED with the 429 problem, or the database's error.
 */
int throttle_admit(struct throttle *t, const char *key, const char *what) CS_MUST_CHECK;

/*
 * Reserve a sign-in attempt under both keys (before hashing): CS_OK, or CS_ETHROTTLED with the
 * 429 problem and Retry-After set and nothing reserved. End it with throttle_pair_finish.
 */
int throttle_pair_reserve(const struct throttle_pair *p) CS_MUST_CHECK;

/* End a reserved sign-in attempt; a success forgets only the account key's failures. */
void throttle_pair_finish(const struct throttle_pair *p, enum throttle_outcome outcome);

#endif
