/*
 * Prometheus metrics: requests by route and status, a latency histogram per route, and the
 * database pool's figures. Counting is lock-free (relaxed atomics) so it costs nothing measurable.
 */
#ifndef CURBSIDE_HTTP_METRICS_H
#define CURBSIDE_HTTP_METRICS_H

#include <stddef.h>

#include "core/error.h"
#include "db/pool.h"
#include "db/read_route.h"

#define METRICS_UNMATCHED 0 /* the index of requests that matched no route */

/* Size the tables for routes 1..count; names[i-1]/methods[i-1] label route i. */
int metrics_init(const char *const *names, const char *const *methods, int count) CS_MUST_CHECK;

/* Free the tables. */
void metrics_release(void);

/* Count one request of route `index` answered with `status` after `seconds`. */
void metrics_record(int index, int status, double seconds);

/* Outcomes of the mail worker's attempts (api/mail/mail_worker.c). */
enum metrics_mail_outcome { METRICS_MAIL_SENT, METRICS_MAIL_RETRIED, METRICS_MAIL_FAILED };

/* Count one attempt to send an email with its outcome. */
void metrics_mail_record(enum metrics_mail_outcome outcome);

/* The exposition text (malloc'd, caller frees); NULL when out of memory. `reads` is NULL when
 * reads from a standby are off (no such series then). */
char *metrics_render(size_t *len, const struct db_pool_stats *pool,
                     const struct db_read_route_stats *reads);

#endif
