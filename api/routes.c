#include "routes.h"

#include "api_keys/api_keys_routes.h"
#include "audit_log/audit_log_routes.h"
#include "autopay/autopay_routes.h"
#include "contact/contact_routes.h"
#include "credits/credits_routes.h"
#include "customers/customers_routes.h"
#include "events/events_routes.h"
#include "google_login/google_login_routes.h"
#include "invoices/invoices_routes.h"
#include "jobs/jobs_routes.h"
#include "locations/locations_routes.h"
#include "logos/logos_routes.h"
#include "me/me_routes.h"
#include "notifications/notifications_routes.h"
#include "orders/orders_routes.h"
#include "passwords/passwords_routes.h"
#include "payment_methods/payment_methods_routes.h"
#include "payments/payments_routes.h"
#include "portal_access/portal_access_routes.h"
#include "portal_account/portal_account_routes.h"
#include "portal_auth/portal_auth_routes.h"
#include "portal_credits/portal_credits_routes.h"
#include "portal_invoices/portal_invoices_routes.h"
#include "portal_orders/portal_orders_routes.h"
#include "portal_payments/portal_payments_routes.h"
#include "portal_service_requests/portal_service_requests_routes.h"
#include "service_catalog/service_catalog_routes.h"
#include "service_requests/service_requests_routes.h"
#include "services/services_routes.h"
#include "settings/settings_routes.h"
#include "signup/signup_routes.h"
#include "staff/staff_routes.h"
#include "statements/statements_routes.h"
#include "system/system.h"
#include "tenants/tenants_routes.h"
#include "webhooks/webhooks_routes.h"

static const struct route_table *const tables[] = {
        &system_route_table,
        &tenants_route_table,
        &staff_route_table,
        &settings_route_table,
        &api_keys_route_table,
        &customers_route_table,
        &payments_route_table,
        &locations_route_table,
        &services_route_table,
        &orders_route_table,
        &invoices_route_table,
        &credits_route_table,
        &portal_auth_route_table,
        &me_route_table,
        &signup_route_table,
        &passwords_route_table,
        &portal_access_route_table,
        &jobs_route_table,
        &portal_account_route_table,
        &portal_orders_route_table,
        &portal_invoices_route_table,
        &portal_payments_route_table,
        &portal_credits_route_table,
        &payment_methods_route_table,
        &google_login_route_table,
        &autopay_route_table,
        &contact_route_table,
        &notifications_route_table,
        &statements_route_table,
        &logos_route_table,
        &service_catalog_route_table,
        &portal_service_requests_route_table,
        &service_requests_route_table,
        &webhooks_route_table,
        &audit_log_route_table,
        &events_route_table,
};

const struct route_table *const *app_route_tables(size_t *count)
{
	*count = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

void app_print_routes(FILE *out)
{
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (size_t i = 0; i < tables[t]->count; i++) {
			const struct route *r = &tables[t]->routes[i];
			fprintf(out, "%s %s %s %s\n", r->method, r->path,
			        http_auth_level_name(r->auth), tables[t]->module);
		}
}
