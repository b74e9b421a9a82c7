/*
 * The staff side of service requests (issue 25, item 3): the queue of the tenant's requests
 * (filtered by status, type, the date asked for and customer), one request with its customer,
 * location, order, invoice line and history, and the actions that move it on (accept, schedule,
 * decline, complete), each one transaction recording who acted. Every statement is scoped by the
 * caller's tenant: another tenant's request is not found.
 */
#ifndef CURBSIDE_SERVICE_REQUESTS_SERVICE_H
#define CURBSIDE_SERVICE_REQUESTS_SERVICE_H

#include <jansson.h>

#include "app.h"
#include "db/pool.h"
#include "http/auth.h"
#include "http/params.h"

/* Filters of the queue (NULL for any), already checked: `statuses` is a comma-separated list of
 * statuses, `from`/`to` bound the date asked for (inclusive). */
struct service_request_queue_filter {
	const char *statuses;
	const char *type;
	const char *from;
	const char *to;
	const char *customer_id;
};

/* What moves a request on. */
enum service_request_action {
	SERVICE_REQUEST_ACCEPT,
	SERVICE_REQUEST_SCHEDULE,
	SERVICE_REQUEST_DECLINE,
	SERVICE_REQUEST_COMPLETE,
};

/* One page of the tenant's requests, oldest first; *out (caller frees) is {items, next_cursor}. */
int service_requests_list(char **out, struct db_pool *db, const char *tenant_id,
                          const struct service_request_queue_filter *filter,
                          const struct list_params *page) CS_MUST_CHECK;

/* One request of the tenant with its history; *out (caller frees). CS_ENOTFOUND otherwise. */
int service_requests_get(char **out, struct db_pool *db, const char *tenant_id,
                         const char *id) CS_MUST_CHECK;

/*
 * Move request `id` on by `action` as the caller (a staff user or API key), with `body` ({date}
 * to schedule, {reason} to decline; NULL otherwise), at the clock of `app`; *out (caller frees)
 * is the request with its history. CS_ENOTFOUND; CS_ECONFLICT service_request_status_conflict
 * from a status the action does not leave from; CS_EINVALID date_in_past.
 */
int service_requests_act(char **out, struct app *app, const struct principal *who, const char *id,
                         enum service_request_action action, const json_t *body) CS_MUST_CHECK;

#endif
