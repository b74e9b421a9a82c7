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

#endif
