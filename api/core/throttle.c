#include "core/throttle.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* Keys are kept as 64-bit hashes: a collision would only share a counter, never grant access. */
struct slot {
	uint64_t key;
	time_t window_start;
	int failures;
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
	return s->key == 0 || now - s->window_start >= t->window;
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

int throttle_check(struct throttle *t, const char *key, time_t now)
{
	int wait = 0;

	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key_hash(key));
	if (s && !expired(t, s, now) && s->failures >= t->max_failures)
		wait = (int)(s->window_start + t->window - now);
	pthread_mutex_unlock(&t->lock);
	return wait > 0 ? wait : 0;
}

void throttle_fail(struct throttle *t, const char *key, time_t now)
{
	uint64_t k = key_hash(key);

	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, k);
	if (!s || expired(t, s, now)) {
		if (!s)
			s = claim(t, k, now);
		*s = (struct slot){.key = k, .window_start = now, .failures = 0};
	}
	s->failures++;
	pthread_mutex_unlock(&t->lock);
}

void throttle_reset(struct throttle *t, const char *key)
{
	pthread_mutex_lock(&t->lock);
	struct slot *s = find(t, key_hash(key));
	if (s)
		*s = (struct slot){0};
	pthread_mutex_unlock(&t->lock);
}

int throttle_pair_check(const struct throttle_pair *p, time_t now)
{
	int wait = throttle_check(p->by_account, p->account_key, now);

	if (!wait)
		wait = throttle_check(p->by_address, p->address_key, now);
	return wait ? throttle_refuse(wait, "failed sign-in attempts") : CS_OK;
}

int throttle_refuse(int seconds, const char *what)
{
	cs_error_set(CS_ETHROTTLED, "too_many_attempts", "Too many %s. Try again in %d seconds.",
	             what, seconds);
	cs_error_set_retry_after(seconds);
	return CS_ETHROTTLED;
}

void throttle_pair_fail(const struct throttle_pair *p, time_t now)
{
	throttle_fail(p->by_account, p->account_key, now);
	throttle_fail(p->by_address, p->address_key, now);
}

void throttle_pair_succeed(const struct throttle_pair *p)
{
	throttle_reset(p->by_account, p->account_key);
}
