/*
 * A thread that LISTENs on one PostgreSQL channel over its own connection (not the pool's) and
 * calls back on every notification: how one server process hears what another did (a session
 * revoked, an email queued). The connection is re-made after a failure, and the callback runs
 * once after every (re)connection too, since notifications sent meanwhile were missed.
 */
#ifndef CURBSIDE_DB_LISTENER_H
#define CURBSIDE_DB_LISTENER_H

#include "core/error.h"

struct db_listener;

typedef void (*db_listener_fn)(void *arg);

/*
 * Start listening on `channel` of database `url`, calling `on_notify(arg)` from the listener's
 * thread. `*out` is freed by db_listener_stop. The first connection is made in the thread, so a
 * database that is down at start only delays the listening.
 */
int db_listener_start(struct db_listener **out, const char *url, const char *channel,
                      db_listener_fn on_notify, void *arg) CS_MUST_CHECK;

/* Stop the thread (it wakes at once), close its connection and free `l` (NULL-safe). */
void db_listener_stop(struct db_listener *l);

#endif
