/*
 * SQL fragments shared by the statements that read and write tenants (private to tenants/; the
 * public branding other modules embed is in tenants_service.h). Each response shape is built by
 * PostgreSQL (json_build_object) and passed through untouched.
 */
#ifndef CURBSIDE_TENANTS_SQL_H
#define CURBSIDE_TENANTS_SQL_H

#include "db/sql_instant.h"
#include "tenants/tenants_service.h"

/* The operator's view of a tenant. */
#define TENANT_JSON_SQL                                                                            \
	"json_build_object('id', id, 'slug', slug, 'name', name, 'logo_url', logo_url, "           \
	"'brand_color', brand_color, 'currency', currency, 'time_zone', time_zone, "               \
	"'contact', " TENANT_CONTACT_SQL                                                           \
	", 'portal_enabled', portal_enabled, 'self_signup_enabled', "                              \
	"self_signup_enabled, 'show_pending_invoices', show_pending_invoices, "                    \
	"'created_at', " SQL_INSTANT("created_at") ", 'updated_at', " SQL_INSTANT(                 \
	        "updated_at") ")::text"

/* The hauler staff's settings page. */
#define TENANT_SETTINGS_JSON_SQL                                                                   \
	"json_build_object('name', name, 'logo_url', logo_url, 'brand_color', brand_color, "       \
	"'currency', currency, 'time_zone', time_zone, 'contact', " TENANT_CONTACT_SQL             \
	", 'remit_to_address', remit_to_address, 'show_pending_invoices', show_pending_invoices, " \
	"'self_signup_enabled', self_signup_enabled, 'portal_enabled', portal_enabled)::text"

/* Apply a validated JSON patch `p` (merge semantics: absent keeps, null clears). */
#define PATCH_TEXT(col, key) col " = CASE WHEN p ? '" key "' THEN p->>'" key "' ELSE " col " END"
#define PATCH_BOOL(col, key)                                                                       \
	col " = CASE WHEN p ? '" key "' THEN (p->>'" key "')::boolean ELSE " col " END"
#define PATCH_CONTACT(col, key)                                                                    \
	col " = CASE WHEN p ? 'contact' AND (jsonb_typeof(p->'contact') = 'null' OR "              \
	    "p->'contact' ? '" key "') THEN p->'contact'->>'" key "' ELSE " col " END"

/* clang-format 14 reflows this macro differently on every run: keep it as written. */
/* clang-format off */
#define TENANT_PATCH_SET_SQL \
	PATCH_TEXT("name", "name") ", " \
	PATCH_TEXT("currency", "currency") ", " \
	PATCH_TEXT("time_zone", "time_zone") ", " \
	PATCH_TEXT("logo_url", "logo_url") ", " \
	PATCH_TEXT("brand_color", "brand_color") ", " \
	PATCH_CONTACT("contact_phone", "phone") ", " \
	PATCH_CONTACT("contact_email", "email") ", " \
	PATCH_CONTACT("contact_address", "address") ", " \
	PATCH_CONTACT("contact_website", "website") ", " \
	PATCH_TEXT("remit_to_address", "remit_to_address") ", " \
	PATCH_BOOL("portal_enabled", "portal_enabled") ", " \
	PATCH_BOOL("self_signup_enabled", "self_signup_enabled") ", " \
	PATCH_BOOL("show_pending_invoices", "show_pending_invoices")
/* clang-format on */

#endif
