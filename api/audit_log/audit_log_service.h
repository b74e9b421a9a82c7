/*
 * The audit log (issue 26, item 3): the records the database writes beside every write by a staff
 * user, an API key or the operator (db/functions/audit.sql), read newest first. A tenant's staff
 * admins read their tenant's records; the operator reads every tenant's.
 */
#ifndef CURBSIDE_AUDIT_LOG_SERVICE_H
#define CURBSIDE_AUDIT_LOG_SERVICE_H

#include "db/pool.h"
#include "http/params.h"

/* Filters of the log (NULL for any), already checked; `from`/`to` are dates (inclusive) in the
 * tenant's time zone, or UTC across tenants. */
struct audit_log_filter {
	const char *tenant_id;
	const char *actor_kind;
	const char *actor_id;
	const char *object_type;
	const char *object_id;
	const char *action;
	const char *request_id;
	const char *from;
	const char *to;
};

/* One page of records, newest first; *out (caller frees) is {items, next_cursor}. */
int audit_log_list(char **out, struct db_pool *db, const struct audit_log_filter *filter,
                   const struct list_params *page) CS_MUST_CHECK;

/* Record `id` of tenant `tenant_id` (NULL: of any tenant); *out (caller frees). CS_ENOTFOUND
 * otherwise. */
int audit_log_get(char **out, struct db_pool *db, const char *tenant_id,
                  const char *id) CS_MUST_CHECK;

#endif
