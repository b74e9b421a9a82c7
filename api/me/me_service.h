/* The signed-in portal user: profile and password (GET/PATCH /v1/me, POST /v1/me/password). */
#ifndef CURBSIDE_ME_SERVICE_H
#define CURBSIDE_ME_SERVICE_H

#include "app.h"
#include "core/error.h"
#include "http/auth.h"

/* The Me JSON of the portal principal `who` (malloc'd into `*out`). */
int me_read(char **out, struct db_pool *db, const struct principal *who) CS_MUST_CHECK;

/* Set the full name (trimmed, validated) of `who`; `*out` is the Me JSON. */
int me_update(char **out, struct db_pool *db, const struct principal *who,
              const char *full_name) CS_MUST_CHECK;

/*
 * Change the password of `who` after checking `current`; every other session of the user ends.
 * CS_EINVALID invalid_current_password (field current_password); CS_ECONFLICT
 * google_login_required for a user without a password; CS_ETHROTTLED after repeated failures;
 * CS_EBUSY when hashing is saturated.
 */
int me_change_password(struct app *app, const struct principal *who, const char *current,
                       const char *replacement) CS_MUST_CHECK;

#endif
