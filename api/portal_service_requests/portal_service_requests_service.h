/*
 * The selected account's service requests in the portal (issue 25, item 2): submit one of the
 * types the hauler's catalog offers for one of the account's locations, list and read them with
 * their status and history, cancel one while it is new. Every statement is scoped by the tenant
 * AND the account of the caller's session: another account's request is not found.
 */
#ifndef CURBSIDE_PORTAL_SERVICE_REQUESTS_SERVICE_H
#define CURBSIDE_PORTAL_SERVICE_REQUESTS_SERVICE_H

#include <jansson.h>

#include "app.h"
#include "db/pool.h"
#include "http/auth.h"
#include "http/params.h"

/* How many requests one portal user may make in any hour. */
#define SERVICE_REQUESTS_PER_HOUR 10

/* Filters of the list (NULL for any), already checked against their values. */
struct service_request_filter {
	const char *status;
	const char *type;
};

/*
 * Make the request `body` (validated for its type's shape) for the caller's account under the
 * idempotency claim `claim_id`; *out (caller frees) is the 201 body. CS_EINVALID for a type not
 * offered, a location, service, roll-off or size not the account's, or a date the hauler cannot
 * serve (naming the field and the first possible date); CS_ETHROTTLED too_many_service_requests
 * with Retry-After past the hourly budget.
 */
int portal_service_requests_create(char **out, struct app *app, const struct principal *who,
                                   const json_t *body, const char *claim_id) CS_MUST_CHECK;

/* One page of the account's requests, newest first; *out (caller frees) is {items, next_cursor}. */
int portal_service_requests_list(char **out, struct db_pool *db, const struct principal *who,
                                 const struct service_request_filter *filter,
                                 const struct list_params *page) CS_MUST_CHECK;

/* One request of the account with its history; *out (caller frees). CS_ENOTFOUND otherwise. */
int portal_service_requests_get(char **out, struct db_pool *db, const char *tenant_id,
                                const char *customer_id, const char *id) CS_MUST_CHECK;

/*
 * Cancel a new request of the account; *out (caller frees) is the request. CS_ENOTFOUND, or
 * CS_ECONFLICT service_request_not_cancellable once staff acted on it.
 */
int portal_service_requests_cancel(char **out, struct db_pool *db, const struct principal *who,
                                   const char *id) CS_MUST_CHECK;

#endif
