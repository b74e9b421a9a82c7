#include "services/services_routes.h"

#include "http/fields.h"
#include "http/params.h"
#include "http/resource.h"
#include "services/services_service.h"

static const char *const frequencies[] = {"daily",   "twice_weekly", "weekly", "biweekly",
                                          "monthly", "on_call",      NULL};
static const char *const weekdays[] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday",    NULL};

static bool check_frequency(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, frequencies, code, message,
	                      "Must be daily, twice_weekly, weekly, biweekly, monthly or on_call.");
}

static bool check_weekday(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, weekdays, code, message,
	                      "Must be a day of the week, monday to sunday.");
}

/* Fields of both create and update; `required` marks what a new service must have. */
#define SERVICE_FIELDS(required)                                                                   \
	FIELD_UUID("location_id", required), FIELD_TEXT("description", required, 1, 200),          \
	        FIELD_TEXT("container_size", FIELD_NULLABLE, 1, 40),                               \
	        FIELD_FORMAT("frequency", required, check_frequency),                              \
	        FIELD_FORMAT("service_day", FIELD_NULLABLE, check_weekday),                        \
	        FIELD_CENTS("rate_cents", required, 0), FIELD_BOOLEAN("active", 0),                \
	        FIELD_DATE("start_date", FIELD_NULLABLE)

static const struct field_spec create_fields[] = {SERVICE_FIELDS(FIELD_REQUIRED), FIELDS_END};
static const struct field_spec update_fields[] = {SERVICE_FIELDS(0), FIELDS_END};

static const struct resource_kind service_kind = {"service", "/v1/admin/services/"};

static int list_services(struct http_ctx *ctx)
{
	return http_serve_customer_list(ctx, CURSOR_KEY_INSTANT, services_list);
}

static int get_service(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &service_kind, services_get);
}

static int create_service(struct http_ctx *ctx)
{
	return http_serve_create(ctx, &service_kind, create_fields, services_create);
}

static int update_service(struct http_ctx *ctx)
{
	return http_serve_update(ctx, &service_kind, update_fields, services_update);
}

static const struct route services_routes[] = {
        {"GET", "/v1/admin/customers/:id/services", AUTH_BACK_OFFICE, list_services},
        {"POST", "/v1/admin/customers/:id/services", AUTH_BACK_OFFICE, create_service},
        {"GET", "/v1/admin/services/:id", AUTH_BACK_OFFICE, get_service},
        {"PATCH", "/v1/admin/services/:id", AUTH_BACK_OFFICE, update_service},
};

const struct route_table services_route_table = ROUTE_TABLE("services", services_routes);
