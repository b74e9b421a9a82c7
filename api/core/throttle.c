#include "core/throttle.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Keys are kept as 64-bit hashes: a collision would only share a counter, never grant access. */
struct slot {
	uint64_t key;
	time_t window_start;
	int failures;
	int in_flight; /* reserved attempts not finished yet */
};

struct throttle {
	pthread_mutex_t lock;
	int max_failures;
	int window;
	size_t capacity;
	struct slot *slots;
};

enum { PROBE_LIMIT = 16 };

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1; /* 0 marks an empty slot */
}

struct throttle *throttle_new(int max_failures, int window_seconds, size_t capacity)
{
	struct throttle *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->slots = calloc(capacity, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->max_failures = max_failures;
	t->window = window_seconds;
	t->capacity = capacity;
	return t;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slots);
	free(t);
}

static bool expired(const struct throttle *t, const struct slot *s, time_t now)
{
	return s->key == 0 || (s->in_flight == 0 && now - s->window_start >= t->window);
}

/* The slot holding `key`, or NULL. Caller holds the lock. */
static struct slot *find(struct throttle *t, uint64_t key)
{
	for (size_t i = 0; i < PROBE_LIMIT && i < t->capacity; i++) {
		struct slot *s = &t->slots[(key + i) % t->capacity];
		if (s->key == key)
			return s;
	}
	return NULL;
}

/* A slot for a new key: the first empty or expired one in its probe run, else the oldest. */
static struct slot *claim(struct throttle *t, uint64_t key, time_t now)
{
	struct slot *oldest = NULL;

	for (size_t i = 0; i < PROBE_LIMIT && i < t->capacity; i++) {
		struct slot *s = &t->slots[(key + i) % t->capacity];
		if (expired(t, s, now))
			return s;
		if (!oldest || s->window_start < oldest->window_start)
			oldest = s;
	}
	return oldest;
}

/* Start a new window when the slot's has passed; attempts in flight stay counted. */
static void roll(const struct throttle *t, struct slot *s, time_t now)
{
	if (now - s->window_start >= t->window) {
		s->window_start = now;
		s->failures = 0;
	}
}

/* The slot of `key`, made (recycling another) when absent, its window current. Caller locks. */
static struct slot *find_or_claim(struct throttle *t, uint64_t key, time_t now)
{
	struct slot *s = find(t, key);

	if (!s) {
		s = claim(t, key, now);
		*s = (struct slot){.key = key, .window_start = now};
	}
	roll(t, s, now);
	return s;
}

int throttle_check(struct throttle *t, const char *key, time_t now)
{
	int wait = 0;

	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key_hash(key));
	if (s && now - s->window_start < t->window && s->failures >= t->max_failures)
		wait = (int)(s->window_start + t->window - now);
	pthread_mutex_unlock(&t->lock);
	return wait > 0 ? wait : 0;
}

void throttle_fail(struct throttle *t, const char *key, time_t now)
{
	pthread_mutex_lock(&t->lock);
	find_or_claim(t, key_hash(key), now)->failures++;
	pthread_mutex_unlock(&t->lock);
}

int throttle_reserve(struct throttle *t, const char *key, time_t now)
{
	int wait = 0;

	pthread_mutex_lock(&t->lock);
	struct slot *s = find_or_claim(t, key_hash(key), now);
	if (s->failures >= t->max_failures)
		wait = (int)(s->window_start + t->window - now);
	else if (s->failures + s->in_flight >= t->max_failures)
		wait = 1; /* the attempts in flight end within a second or two */
	else
		s->in_flight++;
	pthread_mutex_unlock(&t->lock);
	return wait;
}

void throttle_finish(struct throttle *t, const char *key, time_t now, enum throttle_outcome outcome)
{
	uint64_t k = key_hash(key);

	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, k);
	if (s && s->in_flight > 0)
		s->in_flight--;
	if (outcome == THROTTLE_FAILED)
		(s = find_or_claim(t, k, now))->failures++;
	else if (outcome == THROTTLE_SUCCEEDED && s)
		s->failures = 0;
	/* Only failures and attempts in flight hold a slot, so successes cannot push failures out.
	 */
	if (s && s->failures == 0 && s->in_flight == 0)
		*s = (struct slot){0};
	pthread_mutex_unlock(&t->lock);
}

int throttle_refuse(int seconds, const char *what)
{
	cs_error_set(CS_ETHROTTLED, "too_many_attempts", "Too many %s. Try again in %d seconds.",
	             what, seconds);
	cs_error_set_retry_after(seconds);
	return CS_ETHROTTLED;
}

int throttle_pair_reserve(const struct throttle_pair *p, time_t now)
{
	int wait = throttle_reserve(p->by_account, p->account_key, now);

	if (!wait && (wait = throttle_reserve(p->by_address, p->address_key, now)) != 0)
		throttle_finish(p->by_account, p->account_key, now, THROTTLE_NEUTRAL);
	return wait ? throttle_refuse(wait, "failed sign-in attempts") : CS_OK;
}

void throttle_pair_finish(const struct throttle_pair *p, time_t now, enum throttle_outcome outcome)
{
	throttle_finish(p->by_account, p->account_key, now, outcome);
	/* The address keeps its failures after a success: one good login does not clear a spray. */
	throttle_finish(p->by_address, p->address_key, now,
	                outcome == THROTTLE_SUCCEEDED ? THROTTLE_NEUTRAL : outcome);
}
