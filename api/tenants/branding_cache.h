/*
 * A short-lived in-memory cache of tenants' public branding. The login page of every customer asks
 * for it, it changes a few times a year, and a database round trip costs more than the rest of
 * the request: entries live CURBSIDE_BRANDING_CACHE_SECONDS (0 turns the cache off). Writes in this
 * process drop the entry at once; other processes see a change within the lifetime.
 */
#ifndef CURBSIDE_TENANTS_BRANDING_CACHE_H
#define CURBSIDE_TENANTS_BRANDING_CACHE_H

#include <time.h>

/* Set the lifetime in seconds (0: never cache). */
void branding_cache_configure(int seconds);

/* A malloc'd copy of the cached JSON of `slug`, or NULL on a miss. */
char *branding_cache_get(const char *slug, time_t now);

/* Remember `json` (copied) as the branding of `slug`. */
void branding_cache_put(const char *slug, const char *json, time_t now);

/* Forget every entry (after any tenant write). */
void branding_cache_clear(void);

/* Free the memory held. */
void branding_cache_release(void);

#endif
