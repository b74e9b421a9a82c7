/*
 * A deadline for reading each request: its headers and body must arrive within a fixed time of
 * the connection opening or of its request line. libmicrohttpd's own timeout is an idle
 * timeout, reset by every byte, so a client sending one header line a second holds a connection
 * (and, one thread per connection, a thread) for as long as it likes.
 *
 * Every connection is registered while it lives (libmicrohttpd's connection notifications). A
 * watchdog thread answers a connection still reading past its deadline with a 408 problem and
 * shuts its socket down; libmicrohttpd then sees the end of the stream and closes the connection
 * itself. Once the application has the whole request, the connection is off the clock until its
 * answer is sent.
 */
#ifndef CURBSIDE_HTTP_READ_DEADLINE_H
#define CURBSIDE_HTTP_READ_DEADLINE_H

#include <microhttpd.h>

#include "core/error.h"

/*
 * Start the watchdog: a request has `seconds` from its connection opening, or from its request
 * line; between requests a keep-alive connection may first idle for `idle_seconds`.
 */
int read_deadline_start(int seconds, int idle_seconds) CS_MUST_CHECK;

/* Stop the watchdog (after the server stopped; NULL-safe to call when never started). */
void read_deadline_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION: a connection opened or closed. */
void read_deadline_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);

/* The request line of a request on `connection` arrived (its thread is the connection's). */
void read_deadline_request_begun(struct MHD_Connection *connection);

/* The application has the whole request that the calling thread serves: stop its clock. */
void read_deadline_request_read(void);

/* The answer on `connection` was sent: the clock of the next request starts now. */
void read_deadline_answer_sent(struct MHD_Connection *connection);

#endif
