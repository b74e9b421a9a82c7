/*
 * Background jobs as the API shows them (API.md rule 11): queueing a bulk invitation for a
 * tenant and reading a job's progress. The work itself is done by jobs_worker.h.
 */
#ifndef CURBSIDE_JOBS_SERVICE_H
#define CURBSIDE_JOBS_SERVICE_H

#include "core/error.h"
#include "core/uuid.h"
#include "db/pool.h"

/*
 * Queue a bulk invitation of tenant `tenant_id`, or (when NULL) of the tenant with slug `slug`
 * (the operator). *job_id gets the job's id and *tenant_slug (caller frees) the tenant's slug.
 * 409 job_already_running while one is queued or running; 404 tenant_not_found for an unknown
 * slug.
 */
int jobs_bulk_invitation_start(char job_id[UUID_TEXT_SIZE], char **tenant_slug, struct db_pool *db,
                               const char *tenant_id, const char *slug,
                               const char *created_by) CS_MUST_CHECK;

/* Job `job_id` of tenant `tenant_id` (or, when NULL, of the tenant with slug `slug`); *out
 * (caller frees) is its JSON. */
int jobs_get(char **out, struct db_pool *db, const char *tenant_id, const char *slug,
             const char *job_id) CS_MUST_CHECK;

#endif
