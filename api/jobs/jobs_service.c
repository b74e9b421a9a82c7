#include "jobs/jobs_service.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/query.h"

static struct db_stmt start_stmt =
        DB_STMT("jobs_bulk_invitation_start", "SELECT bulk_invitation_start($1, $2, $3)");

static struct db_stmt get_stmt = DB_STMT("jobs_get", "SELECT job_get($1, $2, $3)");

int jobs_bulk_invitation_start(char job_id[UUID_TEXT_SIZE], char **tenant_slug, struct db_pool *db,
                               const char *tenant_id, const char *slug, const char *created_by)
{
	const char *params[] = {tenant_id, slug, created_by};
	char *text = NULL;
	json_t *doc = NULL;
	int rc;

	*tenant_slug = NULL;
	job_id[0] = '\0';
	if ((rc = db_query_text(&text, db, &start_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	doc = text ? json_loads(text, 0, NULL) : NULL;
	const char *id = json_string_value(json_object_get(doc, "job_id"));
	const char *tenant = json_string_value(json_object_get(doc, "tenant"));
	if (!id || !tenant || strlen(id) != UUID_TEXT_LEN)
		rc = CS_EINTERNAL;
	else if (!(*tenant_slug = strdup(tenant)))
		rc = CS_ENOMEM;
	else
		snprintf(job_id, UUID_TEXT_SIZE, "%s", id);
	json_decref(doc);
	free(text);
	return rc;
}

int jobs_get(char **out, struct db_pool *db, const char *tenant_id, const char *slug,
             const char *job_id)
{
	const char *params[] = {tenant_id, slug, job_id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "job");
}
