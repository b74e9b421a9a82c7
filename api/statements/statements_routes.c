#include "statements/statements_routes.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/validate.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reads.h"
#include "http/reply.h"
#include "portal/portal_filters.h"
#include "statements/statements_service.h"

static const char *const accepted[] = {"from", "to", "location_id", "format", NULL};
static const char *const formats[] = {"json", "pdf", "csv", NULL};

static bool listed(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

static void unknown_parameters(struct field_errors *errs, const struct http_ctx *ctx)
{
	const char **keys = u_map_enum_keys(ctx->req->map_url);

	for (size_t i = 0; keys && keys[i]; i++)
		if (!listed(keys[i], accepted))
			field_errors_add(errs, keys[i], "unknown_parameter",
			                 "This query parameter is not accepted here.");
}

static const char *date_param(struct field_errors *errs, const struct http_ctx *ctx,
                              const char *name)
{
	const char *value = http_query_param(ctx, name);

	if (value && !validate_date(value))
		field_errors_add(errs, name, "invalid_date", "Use a real date written YYYY-MM-DD.");
	return value;
}

/* Every shape problem at once; the period's rules and the location's owner are the database's
 * answer (statement_rows in db/migrations/0019_statements.sql). */
static void read_query(struct statement_query *q, struct field_errors *errs,
                       const struct http_ctx *ctx)
{
	const char *format =
	        http_query_enum(errs, ctx, "format", formats, "Must be json, pdf or csv.");

	unknown_parameters(errs, ctx);
	q->from = date_param(errs, ctx, "from");
	q->to = date_param(errs, ctx, "to");
	q->location_id = portal_query_location(errs, ctx);
	q->format = STATEMENT_JSON;
	if (format && !strcmp(format, "pdf"))
		q->format = STATEMENT_PDF;
	else if (format && !strcmp(format, "csv"))
		q->format = STATEMENT_CSV;
}

static int get_statement(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct statement_query q;
	struct statement_file file;
	char disposition[200];

	read_query(&q, &errs, ctx);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = statements_produce(&file, http_db_for_read(ctx), ctx->principal.tenant_id,
	                            ctx->principal.account_id, &q);

	if (rc != CS_OK)
		return rc;
	if (q.format != STATEMENT_JSON) {
		snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"",
		         file.filename);
		http_set_header(ctx, "Content-Disposition", disposition);
	}
	rc = http_reply_raw(ctx, 200, file.content_type, file.data, file.len);
	statement_file_clear(&file);
	return rc;
}

static const struct route statements_routes[] = {
        {"GET", "/v1/portal/statement", AUTH_PORTAL_ACCOUNT, get_statement},
};

const struct route_table statements_route_table = ROUTE_TABLE("statements", statements_routes);
