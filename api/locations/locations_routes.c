#include "locations/locations_routes.h"

#include "customers/customers_routes.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/resource.h"
#include "locations/locations_service.h"

/* Fields of both create and update; `required` marks what a new location must have. The address is
 * replaced as a whole and cannot be cleared (a location is its address). */
#define LOCATION_FIELDS(required)                                                                  \
	FIELD_TEXT("name", FIELD_NULLABLE, 1, 100),                                                \
	        FIELD_OBJECT_OF("address", required, customers_address_fields),                    \
	        FIELD_BOOLEAN("active", 0)

static const struct field_spec create_fields[] = {LOCATION_FIELDS(FIELD_REQUIRED), FIELDS_END};
static const struct field_spec update_fields[] = {LOCATION_FIELDS(0), FIELDS_END};

static const struct resource_kind location_kind = {"service location", "/v1/admin/locations/"};

static int list_locations(struct http_ctx *ctx)
{
	return http_serve_customer_list(ctx, CURSOR_KEY_INSTANT, locations_list);
}

static int get_location(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &location_kind, locations_get);
}

static int create_location(struct http_ctx *ctx)
{
	return http_serve_create(ctx, &location_kind, create_fields, locations_create);
}

static int update_location(struct http_ctx *ctx)
{
	return http_serve_update(ctx, &location_kind, update_fields, locations_update);
}

static const struct route locations_routes[] = {
        {"GET", "/v1/admin/customers/:id/locations", AUTH_BACK_OFFICE, list_locations},
        {"POST", "/v1/admin/customers/:id/locations", AUTH_BACK_OFFICE, create_location},
        {"GET", "/v1/admin/locations/:id", AUTH_BACK_OFFICE, get_location},
        {"PATCH", "/v1/admin/locations/:id", AUTH_BACK_OFFICE, update_location},
};

const struct route_table locations_route_table = ROUTE_TABLE("locations", locations_routes);
