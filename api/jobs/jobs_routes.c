#include "jobs/jobs_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/uuid.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "jobs/jobs_service.h"

/* The bulk invitation takes no options: a body, if any, must be an empty object. */
static const struct field_spec no_fields[] = {FIELDS_END};

/* Reply 202 {job_id, status_url} with the status URL as Location. */
static int reply_started(struct http_ctx *ctx, const char *job_id, const char *status_prefix)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", status_prefix, job_id);
	http_set_header(ctx, "Location", url);
	json_t *body = json_pack("{s:s, s:s}", "job_id", job_id, "status_url", url);
	return body ? http_reply_json(ctx, 202, body) : CS_ENOMEM;
}

/* Queue the bulk invitation of the caller's tenant (tenant_id) or of the path's slug. */
static int start_bulk(struct http_ctx *ctx, const char *tenant_id, const char *slug,
                      const char *created_by)
{
	char job_id[UUID_TEXT_SIZE], *tenant_slug = NULL, prefix[160];
	json_t *body = NULL;

	if (ctx->req->binary_body_length > 0 && !http_validated_body(&body, ctx, no_fields, false))
		return CS_OK;
	json_decref(body);
	int rc = jobs_bulk_invitation_start(job_id, &tenant_slug, ctx->app->db, tenant_id, slug,
	                                    created_by);
	if (rc != CS_OK)
		return rc;
	if (slug)
		snprintf(prefix, sizeof(prefix), "/v1/platform/tenants/%s/jobs/", tenant_slug);
	else
		snprintf(prefix, sizeof(prefix), "/v1/admin/jobs/");
	free(tenant_slug);
	return reply_started(ctx, job_id, prefix);
}

/* Staff admins and integrators may invite everyone; billing staff may not. */
static int bulk_invite(struct http_ctx *ctx)
{
	char created_by[64];
	int rc;

	if (ctx->principal.kind == PRINCIPAL_STAFF && (rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	http_principal_name(ctx, created_by, sizeof(created_by));
	return start_bulk(ctx, ctx->principal.tenant_id, NULL, created_by);
}

static int operator_bulk_invite(struct http_ctx *ctx)
{
	return start_bulk(ctx, NULL, http_path_param(ctx, "slug"), "operator");
}

static int get_job(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "job");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = jobs_get(&json, ctx->app->db, ctx->principal.tenant_id, NULL, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int operator_get_job(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "job");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = jobs_get(&json, ctx->app->db, NULL, http_path_param(ctx, "slug"), id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route jobs_routes[] = {
        {"POST", "/v1/admin/invitations/bulk", AUTH_BACK_OFFICE, bulk_invite},
        {"GET", "/v1/admin/jobs/:id", AUTH_BACK_OFFICE, get_job},
        {"POST", "/v1/platform/tenants/:slug/invitations/bulk", AUTH_OPERATOR,
         operator_bulk_invite},
        {"GET", "/v1/platform/tenants/:slug/jobs/:id", AUTH_OPERATOR, operator_get_job},
};

const struct route_table jobs_route_table = ROUTE_TABLE("jobs", jobs_routes);
