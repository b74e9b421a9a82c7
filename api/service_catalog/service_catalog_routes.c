#include "service_catalog/service_catalog_routes.h"

#include <ctype.h>
#include <string.h>

#include "app.h"
#include "http/fields.h"
#include "http/reply.h"
#include "service_catalog/service_catalog_service.h"

static const char *const weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday",    NULL};

static bool check_weekday(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, weekdays, code, message,
	                      "Must be a day of the week in lower case (monday to sunday).");
}

/* A time of day "HH:MM" (24-hour), in the hauler's time zone. */
static bool check_cutoff(const json_t *v, const char **code, const char **message)
{
	const char *s = json_string_value(v);

	bool digits = strlen(s) == 5 && s[2] == ':' && isdigit((unsigned char)s[0]) &&
	              isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[3]) &&
	              isdigit((unsigned char)s[4]);

	if (digits && (s[0] < '2' || (s[0] == '2' && s[1] < '4')) && s[3] < '6')
		return true;
	*code = "invalid_format";
	*message = "Must be a time of day HH:MM (24-hour) in the hauler's time zone.";
	return false;
}

/* A size's code: what the portal sends back; short, lower case, no blanks. */
static bool check_size_code(const json_t *v, const char **code, const char **message)
{
	const char *s = json_string_value(v);
	size_t n = strlen(s);

	if (n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n &&
	    s[0] != '_' && s[0] != '-')
		return true;
	*code = "invalid_format";
	*message = "Must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter "
	           "or digit.";
	return false;
}

/* A whole number of days from `lo` to `hi`. */
#define FIELD_DAYS(name_, flags_, lo, hi)                                                          \
	{                                                                                          \
		.name = (name_), .type = FIELD_INTEGER, .flags = (flags_), .min = (lo),            \
		.max = (hi)                                                                        \
	}

/* The terms every request type has. */
#define TYPE_TERMS                                                                                 \
	FIELD_BOOLEAN("enabled", 0), FIELD_DAYS("lead_days", 0, 0, 60),                            \
	        FIELD_FORMAT("cutoff_time", FIELD_NULLABLE, check_cutoff)

static const struct field_spec size_fields[] = {
        FIELD_FORMAT("code", FIELD_REQUIRED, check_size_code),
        FIELD_TEXT("name", FIELD_REQUIRED, 1, 100),
        FIELD_CENTS("price_cents", FIELD_REQUIRED, 0),
        FIELD_DAYS("rental_days", FIELD_REQUIRED, 1, 365),
        FIELDS_END,
};

static const struct field_spec delivery_fields[] = {
        TYPE_TERMS,
        FIELD_ARRAY_OF("sizes", 0, 0, 20, size_fields),
        FIELDS_END,
};

static const struct field_spec priced_fields[] = {
        TYPE_TERMS,
        FIELD_CENTS("price_cents", FIELD_NULLABLE, 0),
        FIELDS_END,
};

static const struct field_spec free_fields[] = {
        TYPE_TERMS,
        FIELDS_END,
};

static const struct field_spec hold_fields[] = {
        TYPE_TERMS,
        FIELD_DAYS("max_days", 0, 1, 365),
        FIELDS_END,
};

static const struct field_spec type_fields[] = {
        FIELD_OBJECT_OF("roll_off_delivery", 0, delivery_fields),
        FIELD_OBJECT_OF("extra_pickup", 0, priced_fields),
        FIELD_OBJECT_OF("missed_pickup", 0, free_fields),
        FIELD_OBJECT_OF("vacation_hold", 0, hold_fields),
        FIELD_OBJECT_OF("roll_off_swap", 0, priced_fields),
        FIELD_OBJECT_OF("roll_off_removal", 0, priced_fields),
        FIELDS_END,
};

static const struct field_spec catalog_fields[] = {
        FIELD_STRINGS("closed_weekdays", 0, 0, 6, check_weekday),
        FIELD_STRINGS("closed_dates", 0, 0, 366, field_check_date),
        FIELD_OBJECT_OF("request_types", 0, type_fields),
        FIELDS_END,
};

static int get_catalog(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = service_catalog_get(&json, ctx->app->db, ctx->principal.tenant_id);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* Staff admins and the hauler's integrations (API keys) edit the catalog; billing staff read. */
static int patch_catalog(struct http_ctx *ctx)
{
	json_t *body = NULL;
	char *json = NULL;
	int rc;

	if (ctx->principal.kind == PRINCIPAL_STAFF && (rc = http_require_admin(ctx)) != CS_OK)
		return rc;
	if (!http_validated_body(&body, ctx, catalog_fields, true))
		return CS_OK;
	rc = service_catalog_update(&json, ctx->app->db, ctx->principal.tenant_id, body);
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_offers(struct http_ctx *ctx)
{
	char *json = NULL;
	int rc = service_catalog_offers(&json, ctx->app, ctx->principal.tenant_id);

	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route service_catalog_routes[] = {
        {"GET", "/v1/admin/service-catalog", AUTH_BACK_OFFICE, get_catalog},
        {"PATCH", "/v1/admin/service-catalog", AUTH_BACK_OFFICE, patch_catalog},
        {"GET", "/v1/portal/service-catalog", AUTH_PORTAL_ACCOUNT, get_offers},
};

const struct route_table service_catalog_route_table =
        ROUTE_TABLE("service_catalog", service_catalog_routes);
