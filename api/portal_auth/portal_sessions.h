/*
 * Portal sessions: opening one after a successful sign-in (password, invitation, pay link,
 * verification, Google), refreshing it with rotation and reuse detection, switching the selected
 * customer account, ending it. Every answer is the API's Session JSON.
 */
#ifndef CURBSIDE_PORTAL_SESSIONS_H
#define CURBSIDE_PORTAL_SESSIONS_H

#include <stdbool.h>

#include "app.h"
#include "core/error.h"
#include "core/jwt.h"
#include "db/pool.h"
#include "http/auth.h"

/* Refresh tokens (and so portal sessions) live 30 days at most (DESIGN.md). */
#define PORTAL_SESSION_TTL (30 * 24 * 3600)

/*
 * Open a session for portal user `user_id` of tenant `tenant_id` and build the Session JSON into
 * `*out` (malloc'd; the caller frees). `account_id` (NULL for none) selects an account the user is
 * linked to; with none, a user of one account gets it selected and a user of several gets
 * `account_selection_required`. CS_EINVALID account_not_linked when `account_id` is not theirs;
 * CS_EFORBIDDEN portal_access_disabled when none of their accounts has portal access.
 */
int portal_session_open(char **out, struct app *app, const char *tenant_id, const char *user_id,
                        const char *account_id, const char *client_address) CS_MUST_CHECK;

/*
 * Exchange refresh token `refresh_token` for a new Session (a new access token and a new refresh
 * token; the old one is spent). A spent token presented again within the configured grace
 * (CURBSIDE_REFRESH_GRACE_SECONDS) answers the same successor while that one is unspent (two tabs
 * refreshing at once); otherwise it revokes the whole session (CS_EUNAUTHORIZED
 * refresh_token_reused). CS_EUNAUTHORIZED invalid_refresh_token when unknown or the session has
 * ended; CS_EFORBIDDEN portal_disabled.
 */
int portal_session_refresh(char **out, struct app *app, const char *refresh_token) CS_MUST_CHECK;

/* Select account `account_id` for session `session_id` (a new Session, refresh token rotated). */
int portal_session_select_account(char **out, struct app *app, const char *session_id,
                                  const char *account_id) CS_MUST_CHECK;

/* End session `session_id`: its access and refresh tokens stop working at once. */
int portal_session_end(struct app *app, const char *session_id) CS_MUST_CHECK;

/*
 * Look up the state of session `claims->session_id` for the user, tenant and account the claims
 * name. Ids that are not UUIDs read as PORTAL_SESSION_ENDED.
 */
int portal_session_check(enum portal_session_state *state, struct db_pool *db,
                         const struct access_claims *claims) CS_MUST_CHECK;

#endif
