/*
 * Events (issue 26, item 1): what happened to the tenant's objects, written by the database in
 * the transaction that made it happen (db/functions/event_triggers.sql). The feed is read on the
 * primary, in feed position (xid, seq), and shows an event only once every transaction that could
 * still add an earlier position has ended (docs/decisions.md, "The event feed").
 */
#ifndef CURBSIDE_EVENTS_SERVICE_H
#define CURBSIDE_EVENTS_SERVICE_H

#include "db/pool.h"
#include "http/params.h"

/* Every event type the database writes, NULL-terminated. */
extern const char *const event_types[];

/* Whether `list` (comma-separated) names only types and families of them ("invoice.*"). */
bool events_type_filter_valid(const char *list);

/* Filters of the feed (NULL for any), already checked: `after` an event id the page starts
 * after (instead of a cursor), `types` a comma-separated list of types and families, `from`/`to`
 * bound the day (UTC) an event was written, inclusive. */
struct event_filter {
	const char *after;
	const char *types;
	const char *object_id;
	const char *from;
	const char *to;
};

/* Whether `key` is a feed position as a cursor carries it ("<xid>.<seq>"). */
bool events_cursor_key_valid(const char *key);

/* One page of the tenant's feed; *out (caller frees) is {items, next_cursor}. CS_EINVALID
 * invalid_parameter when `after` is not an event of the tenant that the feed shows. */
int events_list(char **out, struct db_pool *db, const char *tenant_id,
                const struct event_filter *filter, const struct list_params *page) CS_MUST_CHECK;

/* One event of the tenant; *out (caller frees). CS_ENOTFOUND otherwise. */
int events_get(char **out, struct db_pool *db, const char *tenant_id, const char *id) CS_MUST_CHECK;

#endif
