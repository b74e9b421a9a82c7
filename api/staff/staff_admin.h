/* Staff management by the hauler's admins: list, read, add, disable and enable staff users. */
#ifndef CURBSIDE_STAFF_ADMIN_H
#define CURBSIDE_STAFF_ADMIN_H

#include <stdbool.h>

#include "core/error.h"
#include "db/pool.h"
#include "staff/staff_service.h"

/* Every staff user of the tenant: `*out` is the StaffUserList JSON (malloc'd). */
int staff_admin_list(char **out, struct db_pool *db, const char *tenant_id) CS_MUST_CHECK;

/* One staff user of the tenant: `*out` is the StaffUser JSON (malloc'd). CS_ENOTFOUND. */
int staff_admin_get(char **out, struct db_pool *db, const char *tenant_id,
                    const char *id) CS_MUST_CHECK;

/*
 * Add a staff user to the tenant: `*out` is the StaffUser JSON (malloc'd).
 * CS_ECONFLICT staff_email_taken, CS_EBUSY when hashing is saturated.
 */
int staff_admin_create(char **out, struct db_pool *db, const char *tenant_id,
                       const struct staff_new *input) CS_MUST_CHECK;

/*
 * Disable or enable staff user `id` for admin `actor_id`; disabling ends all its sessions.
 * `*out` is the StaffUser JSON (malloc'd). CS_ENOTFOUND, CS_ECONFLICT cannot_disable_self,
 * CS_EFORBIDDEN staff_user_disabled (the actor's own account was disabled meanwhile).
 */
int staff_admin_set_disabled(char **out, struct db_pool *db, const char *tenant_id,
                             const char *actor_id, const char *id, bool disabled) CS_MUST_CHECK;

#endif
