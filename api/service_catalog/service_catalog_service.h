/*
 * The hauler's catalog of service requests (issue 25): which request types the portal offers
 * (roll-off delivery by size, extra pickup, missed pickup, vacation hold, roll-off swap and
 * removal), each with its lead time, daily cutoff and price, and the days the hauler does not
 * serve. Staff read and edit it; the portal reads what is offered with each type's first
 * possible date, computed in the hauler's time zone at the server's clock.
 */
#ifndef CURBSIDE_SERVICE_CATALOG_SERVICE_H
#define CURBSIDE_SERVICE_CATALOG_SERVICE_H

#include <jansson.h>

#include "app.h"
#include "core/clock.h"
#include "core/error.h"
#include "db/pool.h"

/* The kinds of request there are, in the order the catalog lists them (NULL-terminated), and
 * the sentence that names them in a 422. */
extern const char *const service_request_types[];
#define SERVICE_REQUEST_TYPES_SENTENCE                                                             \
	"Must be roll_off_delivery, extra_pickup, missed_pickup, vacation_hold, roll_off_swap or " \
	"roll_off_removal."

/* The statuses a request goes through (NULL-terminated), and the sentence that names them. */
extern const char *const service_request_statuses[];
#define SERVICE_REQUEST_STATUSES_SENTENCE                                                          \
	"Must be new, accepted, scheduled, declined, completed or cancelled."

/* The tenant's whole catalog; *out (caller frees) is its JSON. */
int service_catalog_get(char **out, struct db_pool *db, const char *tenant_id) CS_MUST_CHECK;

/*
 * Merge `patch` (validated for shape) into the tenant's catalog; *out (caller frees) is the whole
 * catalog. CS_EINVALID price_required, sizes_required or duplicate_size naming the field.
 */
int service_catalog_update(char **out, struct db_pool *db, const char *tenant_id,
                           const json_t *patch) CS_MUST_CHECK;

/*
 * What the portal offers now (the clock of `app`): *out (caller frees) is {today, time_zone,
 * closed_weekdays, closed_dates, items}.
 */
int service_catalog_offers(char **out, struct app *app, const char *tenant_id) CS_MUST_CHECK;

/*
 * The server's `now` for every date rule of service requests, as RFC 3339 text in `now`: the real
 * time, or the test clock of CURBSIDE_CLOCK_FILE (core/clock.h: the one clock autopay reads too).
 */
int service_catalog_now(char now[CLOCK_TEXT_SIZE], const struct app *app) CS_MUST_CHECK;

#endif
