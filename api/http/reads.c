#include "http/reads.h"

#include <string.h>
#include <strings.h>

#include "core/stopping.h"
#include "http/env.h"

struct db_pool *http_db_for_read(struct http_ctx *ctx)
{
	struct db_read_route *reads = ctx->env->reads;

	if (!reads || ctx->read_retried)
		ctx->read_db = ctx->env->db;
	else
		ctx->read_db = db_read_route_pick(reads, ctx->principal.kind == PRINCIPAL_PORTAL
		                                                 ? ctx->principal.session_id
		                                                 : NULL);
	return ctx->read_db;
}

bool http_reads_retry(struct http_ctx *ctx, int rc)
{
	struct db_read_route *reads = ctx->env->reads;

	if (rc != CS_EUNAVAILABLE || ctx->read_retried || stopping_abandoned() ||
	    !db_read_route_is_standby(reads, ctx->read_db))
		return false;
	db_read_route_failed(reads);
	ctx->read_retried = true;
	ctx->read_db = NULL;
	cs_error_clear();
	return true;
}

/* GET, HEAD and OPTIONS change nothing. */
static bool may_write(const char *method)
{
	return strcasecmp(method, "GET") && strcasecmp(method, "HEAD") &&
	       strcasecmp(method, "OPTIONS");
}

void http_reads_after_write(const struct http_ctx *ctx)
{
	/* Whatever the answer: a refusal may still have written (a declined payment is on record),
	 * and so may a request that failed after its first transaction committed. */
	if (!ctx->env->reads || stopping_abandoned() || ctx->principal.kind != PRINCIPAL_PORTAL ||
	    !ctx->principal.session_id[0] || !may_write(ctx->req->http_verb))
		return;
	db_read_route_note_write(ctx->env->reads, ctx->principal.session_id);
}
