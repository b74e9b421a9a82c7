/*
 * Reads from a standby (CURBSIDE_DATABASE_READ_URL, docs/decisions.md "Several processes (issue
 * 24)"): which pool a heavy read-only request runs on. The standby is used only while it is fresh
 * enough and has replayed every write of the session asking:
 *
 * - A watcher thread asks the standby for its state every DB_READ_WATCH_MS on a connection of its
 *   own (never a request's): whether it is in recovery and streaming from a primary, how far it
 *   lags, how far it has replayed. A standby that lags past the bound, is in recovery without a
 *   walreceiver, cannot be reached or was not heard from for DB_READ_STATUS_MAX_AGE_MS is skipped.
 * - Read-your-writes across processes: after a write by a portal session, the primary's WAL insert
 *   position is remembered for that session in the primary (read_position_note); a read of that
 *   session goes to the standby only when the standby's replay position (as the watcher last saw
 *   it: replay only moves forward, so an older figure is a safe one) has reached it.
 *
 * Every decision is counted for /metrics. When no read URL is configured there is no route at all
 * (NULL): callers use the primary and nothing here runs.
 */
#ifndef CURBSIDE_DB_READ_ROUTE_H
#define CURBSIDE_DB_READ_ROUTE_H

#include "core/error.h"
#include "db/pool.h"

struct db_read_route;

/* How often the watcher asks the standby for its state (one small statement). */
#define DB_READ_WATCH_MS 100

/* A status older than this (the watcher is stuck connecting, say) is not trusted: primary. */
#define DB_READ_STATUS_MAX_AGE_MS 5000

/* Why a routed read went to the primary. */
enum db_read_fallback {
	DB_READ_LAGGING,       /* the standby lags past the bound */
	DB_READ_NOT_STREAMING, /* in recovery without a walreceiver (or of unknown lag) */
	DB_READ_UNREACHABLE,   /* not reached (or not heard from recently) */
	DB_READ_NOT_REPLAYED,  /* the session wrote something the standby has not replayed */
	DB_READ_FAILED,        /* the read failed on the standby and ran again on the primary */
	DB_READ_FALLBACKS,     /* the number of reasons */
};

/* Counters for /metrics. */
struct db_read_route_stats {
	unsigned long standby;                      /* reads sent to the standby */
	unsigned long fallbacks[DB_READ_FALLBACKS]; /* reads sent to the primary, by reason */
};

/*
 * Route reads between `primary` and `standby` (both borrowed: they outlive the route), reached at
 * `standby_url` by the watcher, skipping a standby that lags more than `max_lag_ms`. Starts the
 * watcher thread. *out is freed by db_read_route_close.
 */
int db_read_route_open(struct db_read_route **out, struct db_pool *primary, struct db_pool *standby,
                       const char *standby_url, int max_lag_ms) CS_MUST_CHECK;

/* Stop the watcher and free the route (NULL-safe). */
void db_read_route_close(struct db_read_route *route);

/*
 * The pool for a read of portal session `session_id` (NULL or "" for none): the standby when it
 * may serve it, else the primary. Never fails: a lookup that cannot be made sends the read to the
 * primary. Costs one primary lookup when the session may have remembered writes.
 */
struct db_pool *db_read_route_pick(struct db_read_route *route, const char *session_id);

/*
 * A read sent to the standby failed for want of a database (CS_EUNAVAILABLE): count it and skip
 * the standby until the watcher hears from it again. Returns the primary, for the second try.
 */
struct db_pool *db_read_route_failed(struct db_read_route *route);

/* True when `pool` is the route's standby pool. */
bool db_read_route_is_standby(const struct db_read_route *route, const struct db_pool *pool);

/*
 * Remember, in the primary, that portal session `session_id` has written: its reads go to the
 * primary until the standby has replayed what was written up to now. Best effort: a failure is
 * logged and leaves the thread's last error as it was.
 */
void db_read_route_note_write(struct db_read_route *route, const char *session_id);

/* The counters so far. */
void db_read_route_stats(const struct db_read_route *route, struct db_read_route_stats *out);

#endif
