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
        {"phone", FIELD_STRING, FIELD_NULLABLE | FIELD_TRIM, 0, 40, 0, 0, field_check_plain_line,
         NULL},
        {"email", FIELD_STRING, FIELD_NULLABLE, 0, 0, 0, 0, field_check_email, NULL},
        {"address", FIELD_STRING, FIELD_NULLABLE | FIELD_TRIM, 0, 500, 0, 0, field_check_plain_text,
         NULL},
        {"website", FIELD_STRING, FIELD_NULLABLE, 0, 0, 0, 0, field_check_http_url, NULL},
        {NULL, FIELD_STRING, 0, 0, 0, 0, 0, NULL, NULL},
};

#define NAME_FIELD(flags)                                                                          \
	{                                                                                          \
		"name", FIELD_STRING, (flags) | FIELD_TRIM, 1, 200, 0, 0, field_check_plain_line,  \
		        NULL                                                                       \
	}
#define COMMON_TENANT_FIELDS                                                                       \
	{"time_zone", FIELD_STRING, 0, 0, 0, 0, 0, check_time_zone, NULL}, {"logo_url",            \
	                                                                    FIELD_STRING,          \
	                                                                    FIELD_NULLABLE,        \
	                                                                    0,                     \
	                                                                    0,                     \
	                                                                    0,                     \
	                                                                    0,                     \
	                                                                    field_check_http_url,  \
	                                                                    NULL},                 \
	        {"brand_color", FIELD_STRING, FIELD_NULLABLE, 0, 0, 0, 0, check_color, NULL},      \
	        {"contact", FIELD_OBJECT, FIELD_NULLABLE, 0, 0, 0, 0, NULL, contact_fields},       \
	        {"self_signup_enabled", FIELD_BOOL, 0, 0, 0, 0, 0, NULL, NULL},                    \
	{                                                                                          \
		"show_pending_invoices", FIELD_BOOL, 0, 0, 0, 0, 0, NULL, NULL                     \
	}
#define END_FIELDS                                                                                 \
	{                                                                                          \
		NULL, FIELD_STRING, 0, 0, 0, 0, 0, NULL, NULL                                      \
	}

static const struct field_spec create_fields[] = {
        {"slug", FIELD_STRING, FIELD_REQUIRED, 0, 0, 0, 0, check_slug, NULL},
        NAME_FIELD(FIELD_REQUIRED),
        {"currency", FIELD_STRING, 0, 0, 0, 0, 0, check_currency, NULL},
        {"portal_enabled", FIELD_BOOL, 0, 0, 0, 0, 0, NULL, NULL},
        COMMON_TENANT_FIELDS,
        END_FIELDS,
};

static const struct field_spec update_fields[] = {
        NAME_FIELD(0),
        {"currency", FIELD_STRING, 0, 0, 0, 0, 0, check_currency, NULL},
        {"portal_enabled", FIELD_BOOL, 0, 0, 0, 0, 0, NULL, NULL},
        COMMON_TENANT_FIELDS,
        END_FIELDS,
};

const struct field_spec tenants_settings_fields[] = {
        NAME_FIELD(0),
        COMMON_TENANT_FIELDS,
        END_FIELDS,
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
