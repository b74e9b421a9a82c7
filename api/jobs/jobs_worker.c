#include "jobs/jobs_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "core/uuid.h"
#include "db/loop.h"
#include "portal_access/invitation_links.h"

struct jobs_worker {
	struct app *app;
	struct db_loop *loop; /* owned: stopped by jobs_worker_stop */
	/* During a round, the loop running it and its connection (the round's own arguments: the
	 * thread may start a round before db_loop_start has stored `loop`). */
	struct db_loop *running;
	PGconn *conn;
};

/* A claimed job. */
struct job {
	char id[UUID_TEXT_SIZE];
	char kind[32];
	char after[UUID_TEXT_SIZE]; /* the last customer done: the batches go on after it */
};

static bool stopping(struct jobs_worker *w)
{
	return db_loop_stopping(w->running);
}

/* One statement of the round whose answer is one text cell (db_loop_query_text). */
static int query_text(char **out, struct jobs_worker *w, const char *sql, const char *const *params,
                      int nparams)
{
	return db_loop_query_text(out, w->conn, "jobs worker", sql, params, nparams);
}

/* Run a statement for its effect (job_finish, job_fail, job_release). */
static int query_run(struct jobs_worker *w, const char *sql, const char *const *params, int nparams)
{
	char *ignored = NULL;
	int rc = query_text(&ignored, w, sql, params, nparams);

	free(ignored);
	return rc;
}

/* The batch after `after` as {customer_id, link} items; *last is the last customer's id. An
 * empty array when the job has no customers left. */
static int next_batch(json_t **items, char last[UUID_TEXT_SIZE], struct jobs_worker *w,
                      const struct job *job)
{
	char limit[16], *text = NULL;
	json_t *list = NULL, *item;
	size_t i;
	int rc;

	*items = NULL;
	snprintf(limit, sizeof(limit), "%d", JOBS_WORKER_BATCH);
	const char *params[] = {job->id, job->after, limit};
	if ((rc = query_text(&text, w, "SELECT bulk_invitation_next($1, $2, $3)",
	                     DB_PARAMS(params))) != CS_OK)
		return rc;
	list = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!json_is_array(list)) {
		json_decref(list);
		return CS_EINTERNAL;
	}
	json_array_foreach(list, i, item)
	{
		const char *customer = json_string_value(json_object_get(item, "customer_id"));
		json_t *link = NULL;
		if (!customer || (rc = invitation_link_new(&link, w->app, NULL)) != CS_OK) {
			json_decref(list);
			return customer ? rc : CS_EINTERNAL;
		}
		json_object_set_new(item, "link", link);
		snprintf(last, UUID_TEXT_SIZE, "%s", customer);
	}
	*items = list;
	return CS_OK;
}

/* Invite one batch; *more false when the job is done or no longer ours. */
static int run_batch(bool *more, struct jobs_worker *w, struct job *job)
{
	char last[UUID_TEXT_SIZE] = "", lease[16], *items_text = NULL, *answer = NULL;
	json_t *items = NULL;
	int rc;

	*more = false;
	if ((rc = next_batch(&items, last, w, job)) != CS_OK)
		return rc;
	if (json_array_size(items) == 0) {
		json_decref(items);
		const char *params[] = {job->id, job->after};
		LOG_INFO("jobs worker: job %s finished", job->id);
		return query_run(w, "SELECT job_finish($1, $2)", DB_PARAMS(params));
	}
	items_text = json_dumps(items, JSON_COMPACT);
	json_decref(items);
	if (!items_text)
		return CS_ENOMEM;
	snprintf(lease, sizeof(lease), "%d", JOBS_WORKER_LEASE_SECONDS);
	const char *params[] = {job->id, job->after, last, items_text, lease};
	rc = query_text(&answer, w, "SELECT bulk_invitation_batch($1, $2, $3, $4::jsonb, $5)",
	                DB_PARAMS(params));
	free(items_text);
	if (rc == CS_OK && answer && !strcmp(answer, "ok")) {
		snprintf(job->after, sizeof(job->after), "%s", last);
		*more = true;
	} else if (rc == CS_OK) {
		LOG_WARN("jobs worker: job %s was taken over by another worker", job->id);
	}
	free(answer);
	return rc;
}

static int run_job(struct jobs_worker *w, struct job *job)
{
	bool more = true;
	int rc = CS_OK;

	if (strcmp(job->kind, "bulk_invitation") != 0) {
		const char *params[] = {job->id, "This kind of job is not known to this server."};
		return query_run(w, "SELECT job_fail($1, $2)", DB_PARAMS(params));
	}
	while (more && rc == CS_OK) {
		if (stopping(w)) {
			/* Hand it back now rather than when the lease runs out. */
			const char *params[] = {job->id};
			return query_run(w, "SELECT job_release($1)", DB_PARAMS(params));
		}
		rc = run_batch(&more, w, job);
	}
	if (rc == CS_EDB || rc == CS_EINTERNAL || rc == CS_ENOMEM) {
		/* Not a lost connection: running it again would fail the same way. */
		const char *params[] = {job->id,
		                        "The job stopped on an internal error. Please retry."};
		if (query_run(w, "SELECT job_fail($1, $2)", DB_PARAMS(params)) == CS_OK)
			LOG_ERROR("jobs worker: job %s failed", job->id);
	}
	return rc;
}

/* Claim and run one job; *claimed false when there was none. */
static int run_one(bool *claimed, struct jobs_worker *w)
{
	char lease[16], *text = NULL;
	struct job job = {0};
	json_t *doc = NULL;
	int rc;

	*claimed = false;
	snprintf(lease, sizeof(lease), "%d", JOBS_WORKER_LEASE_SECONDS);
	const char *params[] = {lease};
	if ((rc = query_text(&text, w, "SELECT job_claim($1)", DB_PARAMS(params))) != CS_OK ||
	    !text)
		return rc;
	doc = json_loads(text, 0, NULL);
	free(text);
	const char *id = json_string_value(json_object_get(doc, "id"));
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *after = json_string_value(json_object_get(doc, "after"));
	if (!id || !kind || !after) {
		json_decref(doc);
		return CS_EINTERNAL;
	}
	snprintf(job.id, sizeof(job.id), "%s", id);
	snprintf(job.kind, sizeof(job.kind), "%s", kind);
	snprintf(job.after, sizeof(job.after), "%s", after);
	json_decref(doc);
	*claimed = true;
	LOG_INFO("jobs worker: running job %s (%s)", job.id, job.kind);
	return run_job(w, &job);
}

/* Claim and run jobs until there are none left. */
static int run_all(struct jobs_worker *w)
{
	bool claimed = true;
	int rc = CS_OK;

	while (claimed && rc == CS_OK && !stopping(w))
		rc = run_one(&claimed, w);
	return rc;
}

/* One round of the loop: run every job that is due. */
static bool jobs_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct jobs_worker *w = arg;

	w->running = loop;
	w->conn = conn;
	if (run_all(w) != CS_OK)
		LOG_WARN("jobs worker: a round stopped early; the next one goes on");
	w->conn = NULL;
	return false;
}

int jobs_worker_start(struct jobs_worker **out, struct app *app)
{
	struct jobs_worker *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return CS_ENOMEM;
	w->app = app;
	const struct db_loop_spec spec = {
	        .name = "jobs worker",
	        .url = app->cfg.database_url,
	        .channel = "curbside_jobs",
	        .poll_seconds = JOBS_WORKER_POLL_SECONDS,
	        .round = jobs_round,
	        .arg = w,
	};
	if ((rc = db_loop_start(&w->loop, &spec)) != CS_OK) {
		free(w);
		return rc;
	}
	*out = w;
	return CS_OK;
}

void jobs_worker_stop(struct jobs_worker *w)
{
	if (!w)
		return;
	db_loop_stop(w->loop);
	free(w);
}
