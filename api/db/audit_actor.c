#include "db/audit_actor.h"

#include <string.h>

static _Thread_local char thread_actor[AUDIT_ACTOR_SIZE];

int db_audit_actor_set(const char *json)
{
	size_t n = strlen(json);

	if (n >= sizeof(thread_actor))
		return cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
	memcpy(thread_actor, json, n + 1);
	return CS_OK;
}

void db_audit_actor_clear(void)
{
	thread_actor[0] = '\0';
}

const char *db_audit_actor(void)
{
	return thread_actor;
}
