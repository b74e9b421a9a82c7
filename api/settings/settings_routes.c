#include "settings/settings_routes.h"

#include "app.h"
#include "http/body.h"
#include "http/fields.h"
#include "http/reply.h"
#include "tenants/tenants_routes.h"
#include "tenants/tenants_service.h"

static int get_settings(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = tenants_settings(&json, ctx->app->db, ctx->principal.tenant_id);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/*
 * The portal switch belongs to the operator (seed 003: haulers see the toggle but cannot change
 * it) and the currency to the tenant's contract: both are refused before anything is validated.
 */
static bool refuse_reserved(struct http_ctx *ctx, json_t *body)
{
	if (json_object_get(body, "portal_enabled")) {
		http_reply_problem(
		        ctx, 403, "portal_enabled_operator_only",
		        "Only the platform operator can switch the customer portal on or "
		        "off. Please contact support.",
		        NULL);
		return true;
	}
	if (json_object_get(body, "currency")) {
		struct field_errors errs = FIELD_ERRORS_INIT;
		field_errors_add(&errs, "currency", "read_only",
		                 "The currency is set when the hauler is created.");
		http_reply_field_errors(ctx, &errs);
		return true;
	}
	return false;
}

static int patch_settings(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if ((rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (http_json_body(&body, ctx) != CS_OK)
		return CS_OK;
	if (refuse_reserved(ctx, body) ||
	    !http_validate_object(ctx, body, tenants_settings_fields, true)) {
		json_decref(body);
		return CS_OK;
	}
	fields_normalise(body, tenants_settings_fields);
	rc = tenants_update_settings(&json, ctx->app->db, ctx->principal.tenant_id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route settings_routes[] = {
        {"GET", "/v1/admin/settings", AUTH_STAFF, get_settings},
        {"PATCH", "/v1/admin/settings", AUTH_STAFF, patch_settings},
};

const struct route_table settings_route_table = ROUTE_TABLE("settings", settings_routes);
