#include "portal_access/portal_access_routes.h"

#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "portal_access/portal_access_service.h"

/* Which portal user may be asked for is the SQL function's business (a login email is needed
 * only when the customer has no portal login at all); here only the shape. */
static const struct field_spec portal_fields[] = {
        FIELD_BOOLEAN("enabled", FIELD_REQUIRED),
        FIELD_EMAIL("login_email", FIELD_NULLABLE),
        FIELDS_END,
};

static const struct field_spec invite_fields[] = {
        FIELD_TEXT("first_name", FIELD_REQUIRED, 1, 100),
        FIELD_EMAIL("email", FIELD_REQUIRED),
        FIELD_BOOLEAN("save_to_contact", 0),
        FIELDS_END,
};

#define INVITATIONS_PATH "/v1/admin/invitations/"

/* Who is acting, as recorded on what they create ("staff:<id>", "key:<id>"). */
#define CREATED_BY(ctx, buf) http_principal_name((ctx), (buf), sizeof(buf))

int portal_access_serve_customer(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "customer");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_access_customer_get(&json, ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int put_portal(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "customer");
	char created_by[64], *json = NULL;
	json_t *body = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, portal_fields, false))
		return CS_OK;
	CREATED_BY(ctx, created_by);
	int rc = portal_access_set(&json, ctx->app, ctx->principal.tenant_id, id, body, created_by);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int list_invitations(struct http_ctx *ctx)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_INSTANT, NULL);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = portal_access_invitations_list(&json, ctx->app, ctx->principal.tenant_id,
	                                        customer_id, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int create_invitation(struct http_ctx *ctx)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	char created_by[64], *json = NULL;
	json_t *body = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, invite_fields, false))
		return CS_OK;
	CREATED_BY(ctx, created_by);
	int rc = portal_access_invite(&json, ctx->app, ctx->principal.tenant_id, customer_id, body,
	                              created_by);
	json_decref(body);
	return rc == CS_OK ? http_reply_created(ctx, INVITATIONS_PATH, json) : rc;
}

static int get_invitation(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "invitation");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_access_invitation_get(&json, ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int resend_invitation(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "invitation");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_access_resend(&json, ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int revoke_invitation(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "invitation");

	if (!id)
		return CS_ENOTFOUND;
	int rc = portal_access_revoke(ctx->app, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_no_content(ctx) : rc;
}

static const struct route portal_access_routes[] = {
        {"PUT", "/v1/admin/customers/:id/portal", AUTH_BACK_OFFICE, put_portal},
        {"GET", "/v1/admin/customers/:id/invitations", AUTH_BACK_OFFICE, list_invitations},
        {"POST", "/v1/admin/customers/:id/invitations", AUTH_BACK_OFFICE, create_invitation},
        {"GET", "/v1/admin/invitations/:id", AUTH_BACK_OFFICE, get_invitation},
        {"DELETE", "/v1/admin/invitations/:id", AUTH_BACK_OFFICE, revoke_invitation},
        {"POST", "/v1/admin/invitations/:id/resend", AUTH_BACK_OFFICE, resend_invitation},
};

const struct route_table portal_access_route_table =
        ROUTE_TABLE("portal_access", portal_access_routes);
