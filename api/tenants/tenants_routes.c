#include "tenants/tenants_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "core/validate.h"
#include "http/body.h"
#include "http/reply.h"
#include "tenants/tenants_service.h"

static bool check_slug(const json_t *v, const char **code, const char **message)
{
	if (validate_slug(json_string_value(v)))
		return true;
	*code = "invalid_format";
	*message = "Use 1-63 lower-case letters, digits and inner hyphens (a DNS label).";
	return false;
}

static bool check_currency(const json_t *v, const char **code, const char **message)
{
	if (validate_currency(json_string_value(v)))
		return true;
	*code = "invalid_format";
	*message = "Use a three-letter ISO 4217 code such as USD.";
	return false;
}

/*
 * A time zone must be a name PostgreSQL knows (it computes every tenant-local date). Debian's
 * PostgreSQL reads the system tz database, so the file's presence answers that without a round
 * trip, letting this error join the others; the table's CHECK stays the final word.
 */
static bool known_time_zone(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool check_time_zone(const json_t *v, const char **code, const char **message)
{
	const char *name = json_string_value(v);

	if (validate_time_zone_name(name) && known_time_zone(name))
		return true;
	*code = "invalid_value";
	*message = "Use an IANA time zone name such as America/Chicago.";
	return false;
}

static bool check_color(const json_t *v, const char **code, const char **message)
{
	if (validate_hex_color(json_string_value(v)))
		return true;
	*code = "invalid_format";
	*message = "Use a colour in the form #RRGGBB.";
	return false;
}

static const struct field_spec contact_fields[] = {
        FIELD_TEXT("phone", FIELD_NULLABLE, 0, 40),
        FIELD_EMAIL("email", FIELD_NULLABLE),
        FIELD_TEXT_CHECKED("address", FIELD_NULLABLE, 0, 500, field_check_plain_text),
        FIELD_URL("website", FIELD_NULLABLE),
        FIELDS_END,
};

#define NAME_FIELD(flags) FIELD_TEXT("name", (flags), 1, 200)
#define COMMON_TENANT_FIELDS                                                                       \
	FIELD_FORMAT("time_zone", 0, check_time_zone), FIELD_URL("logo_url", FIELD_NULLABLE),      \
	        FIELD_FORMAT("brand_color", FIELD_NULLABLE, check_color),                          \
	        FIELD_OBJECT_OF("contact", FIELD_NULLABLE, contact_fields),                        \
	        FIELD_BOOLEAN("self_signup_enabled", 0), FIELD_BOOLEAN("show_pending_invoices", 0)

static const struct field_spec create_fields[] = {
        FIELD_FORMAT("slug", FIELD_REQUIRED, check_slug),
        NAME_FIELD(FIELD_REQUIRED),
        FIELD_FORMAT("currency", 0, check_currency),
        FIELD_BOOLEAN("portal_enabled", 0),
        COMMON_TENANT_FIELDS,
        FIELDS_END,
};

static const struct field_spec update_fields[] = {
        NAME_FIELD(0),
        FIELD_FORMAT("currency", 0, check_currency),
        FIELD_BOOLEAN("portal_enabled", 0),
        COMMON_TENANT_FIELDS,
        FIELDS_END,
};

/* The remit-to address is the hauler's own business (the invoice's remittance stub): staff set
 * it, the operator's view does not show it. */
const struct field_spec tenants_settings_fields[] = {
        NAME_FIELD(0),
        COMMON_TENANT_FIELDS,
        FIELD_TEXT_CHECKED("remit_to_address", FIELD_NULLABLE, 1, 300, field_check_plain_text),
        FIELDS_END,
};

static int create_tenant(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL, location[128];

	if (!http_validated_body(&body, ctx, create_fields, false))
		return CS_OK;
	int rc = tenants_create(&json, ctx->app->db, body);
	if (rc == CS_OK) {
		snprintf(location, sizeof(location), "/v1/tenants/%s",
		         json_string_value(json_object_get(body, "slug")));
		http_set_header(ctx, "Location", location);
		rc = http_reply_json_text(ctx, 201, json);
	}
	json_decref(body);
	return rc;
}

static int update_tenant(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;

	if (!http_validated_body(&body, ctx, update_fields, true))
		return CS_OK;
	int rc = tenants_update(&json, ctx->app->db, http_path_param(ctx, "slug"), body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_branding(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = tenants_branding(&json, ctx->app->db, http_path_param(ctx, "tenant"));

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route tenants_routes[] = {
        {"GET", "/v1/tenants/:tenant", AUTH_PUBLIC, get_branding},
        {"POST", "/v1/platform/tenants", AUTH_OPERATOR, create_tenant},
        {"PATCH", "/v1/platform/tenants/:slug", AUTH_OPERATOR, update_tenant},
};

const struct route_table tenants_route_table = ROUTE_TABLE("tenants", tenants_routes);
