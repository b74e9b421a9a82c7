#include "contact/contact_routes.h"

#include "app.h"
#include "contact/contact_service.h"
#include "http/fields.h"
#include "http/middleware.h"
#include "http/reply.h"

/* The subject becomes part of an email's Subject header: one line, no control characters. */
static const struct field_spec contact_fields[] = {
        FIELD_TEXT("subject", FIELD_REQUIRED, 1, 200),
        FIELD_TEXT_CHECKED("message", FIELD_REQUIRED, 1, 5000, field_check_plain_text),
        FIELDS_END,
};

static int send_message(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL, client[64];

	if (!http_validated_body(&body, ctx, contact_fields, false))
		return CS_OK;
	struct contact_message msg = {
	        .subject = json_string_value(json_object_get(body, "subject")),
	        .message = json_string_value(json_object_get(body, "message")),
	};
	http_client_address(ctx, client, sizeof(client));
	int rc = contact_send(&json, ctx->app->db, &ctx->principal, &msg, client);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 202, json) : rc;
}

static const struct route contact_routes[] = {
        {"POST", "/v1/portal/contact", AUTH_PORTAL_ACCOUNT, send_message},
};

const struct route_table contact_route_table = ROUTE_TABLE("contact", contact_routes);
