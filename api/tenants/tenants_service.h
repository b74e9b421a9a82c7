/*
 * Tenants (haulers): creation and changes by the operator, settings by staff, public branding.
 * Inputs are JSON objects already validated by the caller; outputs are JSON text built by
 * PostgreSQL, malloc'd, for the caller to free.
 */
#ifndef CURBSIDE_TENANTS_SERVICE_H
#define CURBSIDE_TENANTS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "db/pool.h"

/* The hauler's contact block as SQL over a row of `tenants`. */
#define TENANT_CONTACT_SQL                                                                         \
	"json_build_object('phone', contact_phone, 'email', contact_email, 'address', "            \
	"contact_address, 'website', contact_website)"

/* The tenant's public branding as SQL over a row of `tenants`: what the login page and every
 * customer-facing client may know. Other modules' statements embed it (signup's link lookups
 * answer with the branding of the link's tenant). */
#define TENANT_BRANDING_JSON_SQL                                                                   \
	"json_build_object('slug', slug, 'name', name, 'logo_url', logo_url, 'brand_color', "      \
	"brand_color, 'currency', currency, 'time_zone', time_zone, "                              \
	"'contact', " TENANT_CONTACT_SQL                                                           \
	", 'login_methods', json_build_array('password'), 'portal_enabled', "                      \
	"portal_enabled, 'self_signup_enabled', self_signup_enabled)::text"

/* Record the 404 of an unknown tenant slug; returns CS_ENOTFOUND. */
int tenants_not_found(const char *slug);

/* Create a tenant from `input`. CS_ECONFLICT tenant_slug_taken; CS_EINVALID for an unknown time
 * zone. */
int tenants_create(char **out, struct db_pool *db, const json_t *input) CS_MUST_CHECK;

/* Apply `patch` to the tenant `slug` (operator view out). CS_ENOTFOUND tenant_not_found. */
int tenants_update(char **out, struct db_pool *db, const char *slug,
                   const json_t *patch) CS_MUST_CHECK;

/* A tenant's branding changed outside this module (its uploaded logo): forget the cached ones. */
void tenants_branding_changed(void);

/* The public branding of `slug`. CS_ENOTFOUND tenant_not_found. */
int tenants_branding(char **out, struct db_pool *db, const char *slug) CS_MUST_CHECK;

/* Whether branding lists "google" among the login methods (set once at start, before serving). */
void tenants_login_methods_configure(bool google);

/*
 * Put the configured login methods into the branding document `*json` (JSON text, malloc'd), at
 * the top level or, with `member`, in that member's object; `*json` is replaced (the old text
 * freed; NULL on failure). Nothing changes when only password login is configured. CS_ENOMEM.
 */
int tenants_login_methods_apply(char **json, const char *member) CS_MUST_CHECK;

/* The settings of tenant `tenant_id`. */
int tenants_settings(char **out, struct db_pool *db, const char *tenant_id) CS_MUST_CHECK;

/* Apply a staff `patch` to the settings of `tenant_id`. */
int tenants_update_settings(char **out, struct db_pool *db, const char *tenant_id,
                            const json_t *patch) CS_MUST_CHECK;

#endif
