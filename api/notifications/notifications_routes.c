#include "notifications/notifications_routes.h"

#include <string.h>

#include "app.h"
#include "core/phone.h"
#include "core/validate.h"
#include "http/fields.h"
#include "http/middleware.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "notifications/notifications_service.h"

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

/* Blanks around the number are dropped (FIELD_TRIM); none inside it. */
static bool check_phone(const json_t *v, const char **code, const char **message)
{
	size_t len = strlen(json_string_value(v));
	const char *s = validate_trim(json_string_value(v), &len);

	if (phone_valid(s, len))
		return true;
	*code = "invalid_phone";
	*message = "Must be a mobile number in E.164 form: + then 8 to 15 digits, the first not "
	           "zero (such as +15555550123).";
	return false;
}

/* sms_phone absent keeps the stored number; null clears it. */
static const struct field_spec preference_fields[] = {
        FIELD_BOOLEAN("sms_opt_in", FIELD_REQUIRED),
        FIELD_TEXT_CHECKED("sms_phone", FIELD_NULLABLE, 0, 0, check_phone),
        FIELDS_END,
};

/* A service reminder's text is the fixed template's: no message member is accepted. */
static const struct field_spec reminder_fields[] = {
        FIELD_DATE("service_date", FIELD_REQUIRED),
        FIELD_UUID("location_id", 0),
        FIELD_UUID("service_id", 0),
        FIELDS_END,
};

static int get_preference(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = notifications_get(&json, ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx));

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int put_preference(struct http_ctx *ctx)
{
	char address[64];
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, preference_fields, false))
		return CS_OK;
	http_client_address(ctx, address, sizeof(address));
	const struct notifications_actor actor = {
	        .source = "portal",
	        .portal_user_id = ctx->principal.user_id,
	        .client_address = address,
	        .user_agent = http_header(ctx, "User-Agent"),
	};
	int rc = notifications_set(&json, ctx->app->db, ctx->principal.tenant_id, ACCOUNT(ctx),
	                           body, &actor);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int list_consents(struct http_ctx *ctx)
{
	return http_serve_customer_list(ctx, CURSOR_KEY_INSTANT, notifications_consents);
}

static int queue_reminder(struct http_ctx *ctx)
{
	const char *customer_id = http_path_id(ctx, "id", "customer");
	bool by_key = ctx->principal.kind == PRINCIPAL_API_KEY;
	json_t *body = NULL;
	char *json = NULL;

	if (!customer_id)
		return CS_ENOTFOUND;
	if (!http_validated_body(&body, ctx, reminder_fields, false))
		return CS_OK;
	const struct notifications_actor actor = {
	        .source = "staff",
	        .staff_user_id = by_key ? NULL : ctx->principal.user_id,
	        .api_key_id = by_key ? ctx->principal.user_id : NULL,
	};
	int rc = ctx->app->cfg.sms_enabled
	                 ? notifications_queue_reminder(&json, ctx->app->db,
	                                                ctx->principal.tenant_id, customer_id, body,
	                                                &actor)
	                 : cs_error_set(CS_EUNAVAILABLE, "sms_unavailable",
	                                "Text messages are not configured on this server.");
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 202, json) : rc;
}

static const struct route notifications_routes[] = {
        {"GET", "/v1/portal/notifications", AUTH_PORTAL_ACCOUNT, get_preference},
        {"PUT", "/v1/portal/notifications", AUTH_PORTAL_ACCOUNT, put_preference},
        {"GET", "/v1/admin/customers/:id/sms-consents", AUTH_BACK_OFFICE, list_consents},
        {"POST", "/v1/admin/customers/:id/service-reminders", AUTH_BACK_OFFICE, queue_reminder},
};

const struct route_table notifications_route_table =
        ROUTE_TABLE("notifications", notifications_routes);
