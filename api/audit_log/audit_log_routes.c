#include "audit_log/audit_log_routes.h"

#include <string.h>

#include "app.h"
#include "audit_log/audit_log_service.h"
#include "core/request_id.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const list_filters[] = {"tenant_id", "actor_kind", "actor_id",   "object_type",
                                           "object_id", "action",     "request_id", "from",
                                           "to",        NULL};

static const char *const actor_kinds[] = {"staff", "api_key", "operator", NULL};

#define ID_SENTENCE "Use an id (a UUID)."

/* Longest object id or name a filter takes: names are table names, ids uuids. */
#define NAME_MAX_LENGTH 80

/*
 * The log is the operator's for every tenant and a staff admin's for their own: billing staff
 * and API keys are refused (an integrator follows the events instead). The tenant whose records
 * the caller reads goes to `*tenant_id` (NULL: every tenant).
 */
static int readable_tenant(const struct http_ctx *ctx, const char **tenant_id)
{
	*tenant_id = NULL;
	if (ctx->principal.kind == PRINCIPAL_OPERATOR)
		return CS_OK;
	*tenant_id = ctx->principal.tenant_id;
	return http_require_admin(ctx);
}

/* A name filter (object_type, action): lower case letters, `_` and `.`, as the log writes them. */
static const char *name_param(struct field_errors *errs, const struct http_ctx *ctx,
                              const char *name)
{
	const char *value = http_query_param(ctx, name);

	if (value && (!value[0] || strlen(value) > NAME_MAX_LENGTH ||
	              strspn(value, "abcdefghijklmnopqrstuvwxyz_.") != strlen(value)))
		field_errors_add(errs, name, "invalid_parameter",
		                 "Use a name as the log writes it: lower case letters, _ and . "
		                 "(customers, invoices.update).");
	return value;
}

/* The filters of the query into `f`; the tenant filter is the operator's only. */
static void read_filters(struct audit_log_filter *f, struct field_errors *errs,
                         const struct http_ctx *ctx)
{
	f->actor_kind = http_query_enum(errs, ctx, "actor_kind", actor_kinds,
	                                "Must be staff, api_key or operator.");
	f->actor_id = http_query_uuid(errs, ctx, "actor_id", ID_SENTENCE);
	f->object_type = name_param(errs, ctx, "object_type");
	f->object_id = http_query_param(ctx, "object_id");
	if (f->object_id && (!f->object_id[0] || strlen(f->object_id) > NAME_MAX_LENGTH))
		field_errors_add(errs, "object_id", "invalid_parameter",
		                 "Use the id of the object written.");
	f->action = name_param(errs, ctx, "action");
	f->request_id = http_query_param(ctx, "request_id");
	if (f->request_id && !request_id_is_sane(f->request_id))
		field_errors_add(errs, "request_id", "invalid_parameter",
		                 "Use a request id: 1 to 64 characters of A-Z a-z 0-9 . _ -.");
	http_query_date_range(errs, ctx, &f->from, &f->to);
	const char *tenant = http_query_uuid(errs, ctx, "tenant_id", ID_SENTENCE);
	if (tenant && ctx->principal.kind != PRINCIPAL_OPERATOR)
		field_errors_add(errs, "tenant_id", "invalid_parameter",
		                 "Only the operator reads other tenants' records.");
	else if (tenant)
		f->tenant_id = tenant;
}

static int list_records(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct audit_log_filter filter = {0};
	struct list_params page;
	char *json = NULL;
	int rc = readable_tenant(ctx, &filter.tenant_id);

	if (rc != CS_OK)
		return rc;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, list_filters);
	read_filters(&filter, &errs, ctx);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	rc = audit_log_list(&json, ctx->app->db, &filter, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_record(struct http_ctx *ctx)
{
	const char *tenant_id = NULL;
	char *json = NULL;
	int rc = readable_tenant(ctx, &tenant_id);

	if (rc != CS_OK)
		return rc;
	const char *id = http_path_id(ctx, "id", "audit record");
	if (!id)
		return CS_ENOTFOUND;
	rc = audit_log_get(&json, ctx->app->db, tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route audit_log_routes[] = {
        {"GET", "/v1/admin/audit-log", AUTH_STAFF_OR_OPERATOR, list_records},
        {"GET", "/v1/admin/audit-log/:id", AUTH_STAFF_OR_OPERATOR, get_record},
};

const struct route_table audit_log_route_table = ROUTE_TABLE("audit_log", audit_log_routes);
