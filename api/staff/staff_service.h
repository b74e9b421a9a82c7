/* Staff users of a hauler: creation by the operator, password login, and session checks. */
#ifndef CURBSIDE_STAFF_SERVICE_H
#define CURBSIDE_STAFF_SERVICE_H

#include <stdbool.h>

#include "app.h"
#include "core/error.h"
#include "db/pool.h"

struct staff_new {
	const char *email;     /* normalised */
	const char *full_name; /* trimmed */
	const char *password;
	const char *role; /* "admin" or "billing" */
};

/*
 * Create a staff user of tenant `slug`; `*out` is the Staff JSON (malloc'd).
 * CS_ENOTFOUND tenant_not_found, CS_ECONFLICT staff_email_taken, CS_EBUSY when hashing is
 * saturated.
 */
int staff_create(char **out, struct db_pool *db, const char *slug,
                 const struct staff_new *input) CS_MUST_CHECK;

/*
 * Log a staff user in: throttling, password check (same cost and answer for an unknown email),
 * a new session and its access token. `*out` is the StaffSession JSON (malloc'd).
 * CS_ENOTFOUND tenant_not_found, CS_EUNAUTHORIZED invalid_credentials, CS_EFORBIDDEN
 * staff_user_disabled (right password, disabled user), CS_ETHROTTLED, CS_EBUSY.
 */
int staff_login(char **out, struct app *app, const char *slug, const char *email,
                const char *password, const char *client_address) CS_MUST_CHECK;

/* End session `session_id` of staff user `user_id` (logout): every process refuses it at once. */
int staff_session_end(struct db_pool *db, const char *session_id,
                      const char *user_id) CS_MUST_CHECK;

/* Whether session `session_id` of staff user `user_id` in tenant `tenant_id` is still active. */
int staff_session_active(bool *active, struct db_pool *db, const char *session_id,
                         const char *user_id, const char *tenant_id) CS_MUST_CHECK;

#endif
