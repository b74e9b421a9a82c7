#include "portal_account/portal_account_routes.h"

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reads.h"
#include "http/reply.h"
#include "portal_account/portal_account_service.h"
#include "portal_account/portal_dashboard.h"

typedef int (*portal_list_fn)(char **out, struct db_pool *db, const struct principal *who,
                              const struct list_params *page);

static int read_account(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = portal_account_read(&json, ctx->app->db, &ctx->principal);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_dashboard(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = portal_dashboard_read(&json, http_db_for_read(ctx), ctx->principal.tenant_id,
	                               ctx->principal.account_id);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* A list that takes paging only, oldest first (its cursor key is an instant). */
static int serve_list(struct http_ctx *ctx, portal_list_fn list)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = list(&json, http_db_for_read(ctx), &ctx->principal, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int list_locations(struct http_ctx *ctx)
{
	return serve_list(ctx, portal_locations_list);
}

static int list_services(struct http_ctx *ctx)
{
	return serve_list(ctx, portal_services_list);
}

static const struct route portal_account_routes[] = {
        {"GET", "/v1/portal/account", AUTH_PORTAL_ACCOUNT, read_account},
        {"GET", "/v1/portal/dashboard", AUTH_PORTAL_ACCOUNT, get_dashboard},
        {"GET", "/v1/portal/locations", AUTH_PORTAL_ACCOUNT, list_locations},
        {"GET", "/v1/portal/services", AUTH_PORTAL_ACCOUNT, list_services},
};

const struct route_table portal_account_route_table =
        ROUTE_TABLE("portal_account", portal_account_routes);
