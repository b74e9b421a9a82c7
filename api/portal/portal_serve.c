#include "portal/portal_serve.h"

#include <stdio.h>

#include "app.h"
#include "http/fields.h"
#include "http/reads.h"
#include "http/reply.h"

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

int portal_serve_list(struct http_ctx *ctx, portal_account_list_fn list)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = list(&json, http_db_for_read(ctx), ctx->principal.tenant_id, ACCOUNT(ctx), &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

int portal_serve_read(struct http_ctx *ctx, const char *what, portal_account_read_fn read)
{
	const char *id = http_path_id(ctx, "id", what);
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = read(&json, http_db_for_read(ctx), ctx->principal.tenant_id, ACCOUNT(ctx), id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* The file name was reduced to [A-Za-z0-9._-] by the service, so it needs no quoting beyond the
 * quotes. */
int portal_serve_document(struct http_ctx *ctx, const char *what, portal_document_fn produce)
{
	const char *id = http_path_id(ctx, "id", what);
	struct portal_document doc;
	char disposition[200];

	if (!id)
		return CS_ENOTFOUND;
	int rc = produce(&doc, http_db_for_read(ctx), ctx->principal.tenant_id, ACCOUNT(ctx), id,
	                 ctx->app->cfg.public_url);

	if (rc != CS_OK)
		return rc;
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", doc.filename);
	http_set_header(ctx, "Content-Disposition", disposition);
	rc = http_reply_raw(ctx, 200, "application/pdf", (const char *)doc.data, doc.len);
	portal_document_clear(&doc);
	return rc;
}
