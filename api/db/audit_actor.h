/*
 * Who is acting, for the audit log (db/functions/audit.sql). The dispatcher sets the thread's
 * actor for a write request by a staff user, an API key or the operator, and clears it when the
 * handler returns; db_checkout hands it to the connection as the setting curbside.actor, only
 * when the connection's differs, so traffic without an actor (the portal, workers, reads) costs
 * no extra round trip once its connection is clear.
 */
#ifndef CURBSIDE_DB_AUDIT_ACTOR_H
#define CURBSIDE_DB_AUDIT_ACTOR_H

#include "core/error.h"

/* Room for an actor's JSON text with its NUL. */
#define AUDIT_ACTOR_SIZE 1024

/* Make `json` (a JSON object as text) this thread's actor. CS_EINTERNAL when it does not fit. */
int db_audit_actor_set(const char *json) CS_MUST_CHECK;

/* This thread acts for nobody the audit log records. */
void db_audit_actor_clear(void);

/* This thread's actor ("" when none); valid until the thread's next set or clear. */
const char *db_audit_actor(void);

#endif
