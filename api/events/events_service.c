#include "events/events_service.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db/page_sql.h"
#include "db/query.h"

const char *const event_types[] = {
        "invoice.sent",
        "invoice.paid",
        "invoice.voided",
        "payment.succeeded",
        "payment.failed",
        "refund.succeeded",
        "refund.failed",
        "credit.created",
        "autopay.enabled",
        "autopay.disabled",
        "autopay.charge_failed",
        "customer.created",
        "customer.updated",
        "customer.portal_changed",
        "portal.user_activated",
        "sms_consent.changed",
        "order.created",
        "order.updated",
        "service_request.created",
        "service_request.updated",
        NULL,
};

/*
 * The feed in position order (xid, seq), from after the cursor's position ($2, "<xid>.<seq>";
 * "0.0" before every event), showing only events of transactions older than every transaction
 * still running, so none can later appear before a position already read. $4 types and families
 * (comma-separated), $5 the object, $6 and $7 the UTC days written: NULL for any.
 */
static struct db_stmt list_stmt = DB_STMT(
        "events_list",
        SQL_KEYSET_PAGE("SELECT r FROM events r WHERE r.tenant_id = $1 AND (r.xid, r.seq) > "
                        "(split_part($2, '.', 1)::xid8, split_part($2, '.', 2)::bigint) AND "
                        "r.xid < pg_snapshot_xmin(pg_current_snapshot()) AND ($4::text IS NULL "
                        "OR r.type = ANY (string_to_array($4, ',')) OR split_part(r.type, '.', "
                        "1) || '.*' = ANY (string_to_array($4, ','))) AND ($5::uuid IS NULL OR "
                        "r.object_id = $5::uuid) AND ($6::date IS NULL OR r.created_at >= "
                        "$6::date::timestamp AT TIME ZONE 'UTC') AND ($7::date IS NULL OR "
                        "r.created_at < ($7::date + 1)::timestamp AT TIME ZONE 'UTC') ORDER BY "
                        "r.xid, r.seq LIMIT $3::int + 1",
                        "event_json", "(s.r).xid::text || '.' || (s.r).seq::text",
                        "(s.r).xid, (s.r).seq", "$3"));

static struct db_stmt get_stmt = DB_STMT("events_get", "SELECT event_json(e)::text FROM events e "
                                                       "WHERE e.tenant_id = $1 AND e.id = $2");

/* Whether the `len` bytes at `s` name a type, or a family ("invoice.*") of one. */
static bool is_type_or_family(const char *s, size_t len)
{
	bool family = len > 2 && !memcmp(s + len - 2, ".*", 2);

	for (size_t i = 0; event_types[i]; i++) {
		const char *t = event_types[i];
		if (family ? !strncmp(t, s, len - 1) : strlen(t) == len && !memcmp(t, s, len))
			return true;
	}
	return false;
}

bool events_type_filter_valid(const char *list)
{
	for (const char *s = list;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (!is_type_or_family(s, len))
			return false;
		if (!comma)
			return true;
		s = comma + 1;
	}
}

/*
 * Where event $2 of tenant $1 is in the feed, as a cursor's key; only an event the feed shows
 * already: one known from elsewhere (a webhook, GET by id) may still have transactions before it
 * that have not ended, whose events a page after it would skip.
 */
static struct db_stmt position_stmt =
        DB_STMT("events_position",
                "SELECT e.xid::text || '.' || e.seq::text FROM events e WHERE e.tenant_id = $1 AND "
                "e.id = $2 AND e.xid < pg_snapshot_xmin(pg_current_snapshot())");

/* Digits only, at most `max` of them, with a value that fits what SQL casts it to. */
static bool is_number(const char *s, size_t len, size_t max, const char *limit)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return len < max || memcmp(s, limit, len) <= 0;
}

bool events_cursor_key_valid(const char *key)
{
	const char *dot = strchr(key, '.');

	if (!dot)
		return false;
	/* xid8 is an unsigned 64-bit number, seq a bigint. */
	return is_number(key, (size_t)(dot - key), 20, "18446744073709551615") &&
	       is_number(dot + 1, strlen(dot + 1), 19, "9223372036854775807");
}

int events_list(char **out, struct db_pool *db, const char *tenant_id,
                const struct event_filter *filter, const struct list_params *page)
{
	const char *key, *id;
	char *position = NULL;

	*out = NULL;
	http_list_after(page, &key, &id, "0.0", CURSOR_NIL_ID);
	if (filter->after) {
		const char *lookup[] = {tenant_id, filter->after};
		int rc = db_query_found(&position, db, &position_stmt, DB_PARAMS(lookup), "event");
		if (rc == CS_ENOTFOUND) {
			rc = cs_error_set(CS_EINVALID, "invalid_parameter",
			                  "after: use the id of an event this feed has shown.");
			cs_error_set_field("after");
		}
		if (rc != CS_OK)
			return rc;
		key = position;
	}
	const char *params[] = {tenant_id,         key,          page->limit, filter->types,
	                        filter->object_id, filter->from, filter->to};
	int rc = db_query_text(out, db, &list_stmt, DB_PARAMS(params));
	free(position);
	return rc;
}

int events_get(char **out, struct db_pool *db, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "event");
}
