/*
 * Which database a request reads from (docs/decisions.md, "Several processes (issue 24)"). A
 * handler of a heavy read-only portal GET (a list, one object, a document, the statement) passes
 * http_db_for_read(ctx) to its service instead of the primary pool: with
 * CURBSIDE_DATABASE_READ_URL set, that is the standby while it is fresh and has replayed the
 * session's writes (db/read_route.h); otherwise, or for anything else, the primary. Such a handler
 * must write nothing and reply only on success: the dispatcher may run it a second time, on the
 * primary, when its read could not reach the standby.
 */
#ifndef CURBSIDE_HTTP_READS_H
#define CURBSIDE_HTTP_READS_H

#include <stdbool.h>

#include "db/pool.h"
#include "http/route.h"

/* The pool for this request's read: the standby or the primary (never NULL). Call it once. */
struct db_pool *http_db_for_read(struct http_ctx *ctx);

/*
 * After a handler answered `rc`: true when its read went to the standby and failed for want of a
 * database, so the dispatcher runs the handler again (its read now on the primary).
 */
bool http_reads_retry(struct http_ctx *ctx, int rc);

/*
 * After the handler of a method that may write (not GET, HEAD, OPTIONS) for a portal session,
 * whatever it answered: remember the session's write position, so that its next reads wait for
 * the standby to replay it. Nothing without a read URL.
 */
void http_reads_after_write(const struct http_ctx *ctx);

#endif
