#include "oidc/oidc_client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "oidc/oidc_http.h"
#include "oidc/oidc_signature.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char issuer[OIDC_URL_MAX];
	struct oidc_endpoints endpoints;
	time_t fetched_at;      /* 0: empty */
	json_t *jwks;           /* the key set at endpoints.jwks; NULL until a callback needs it */
	time_t jwks_fetched_at; /* when `jwks` was fetched */
	time_t jwks_refetched_at; /* the last fetch asked for by an unknown key id */
} cache;

int oidc_client_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CS_OK : CS_EINTERNAL;
}

void oidc_client_release(void)
{
	pthread_mutex_lock(&cache_lock);
	json_decref(cache.jwks);
	memset(&cache, 0, sizeof(cache));
	pthread_mutex_unlock(&cache_lock);
	curl_global_cleanup();
}

/*
 * An endpoint URL from the discovery document, bounded, copied into `dst`: https, or http only
 * when the issuer itself is http (a development provider).
 */
static bool take_endpoint(char dst[OIDC_URL_MAX], const json_t *doc, const char *key,
                          const char *issuer)
{
	const char *v = json_string_value(json_object_get(doc, key));
	bool plain_ok = !strncmp(issuer, "http://", 7);

	if (!v || strlen(v) >= OIDC_URL_MAX ||
	    (strncmp(v, "https://", 8) && (!plain_ok || strncmp(v, "http://", 7))))
		return false;
	snprintf(dst, OIDC_URL_MAX, "%s", v);
	return true;
}

/*
 * The client authentication to use at the token endpoint, from discovery's
 * token_endpoint_auth_methods_supported: client_secret_basic first (OIDC's default, and the
 * default when the list is absent), client_secret_post otherwise. False when neither is listed.
 */
static bool take_client_auth(enum oidc_client_auth *out, const json_t *doc)
{
	const json_t *methods = json_object_get(doc, "token_endpoint_auth_methods_supported");
	bool basic = false, post = false;
	size_t i;
	json_t *m;

	if (!methods) {
		*out = OIDC_AUTH_BASIC;
		return true;
	}
	json_array_foreach(methods, i, m)
	{
		const char *name = json_string_value(m);
		basic = basic || (name && !strcmp(name, "client_secret_basic"));
		post = post || (name && !strcmp(name, "client_secret_post"));
	}
	*out = basic ? OIDC_AUTH_BASIC : OIDC_AUTH_POST;
	return basic || post;
}

/* The endpoints and capabilities of discovery document `doc`, or a 502 saying what is missing. */
static int read_discovery(struct oidc_endpoints *out, const json_t *doc, const char *issuer)
{
	const char *named = json_string_value(json_object_get(doc, "issuer"));

	memset(out, 0, sizeof(*out));
	if (!named || strcmp(named, issuer) ||
	    !take_endpoint(out->authorization, doc, "authorization_endpoint", issuer) ||
	    !take_endpoint(out->token, doc, "token_endpoint", issuer) ||
	    !take_endpoint(out->jwks, doc, "jwks_uri", issuer) ||
	    (json_object_get(doc, "userinfo_endpoint") &&
	     !take_endpoint(out->userinfo, doc, "userinfo_endpoint", issuer)))
		return oidc_unreachable("discovery", "an unusable document");
	out->algs =
	        oidc_signature_algs(json_object_get(doc, "id_token_signing_alg_values_supported"));
	if (!out->algs)
		return oidc_unreachable("discovery",
		                        "no ID token signing algorithm we verify (RS256, ES256, "
		                        "RS384, RS512, ES384, ES512) is advertised");
	if (!take_client_auth(&out->client_auth, doc))
		return oidc_unreachable("discovery",
		                        "no client authentication we use (client_secret_basic, "
		                        "client_secret_post) is advertised");
	return CS_OK;
}

static int fetch_discovery(struct oidc_endpoints *out, const struct oidc_settings *s)
{
	struct strbuf url = STRBUF_INIT;
	json_t *doc = NULL;
	int rc;

	strbuf_printf(&url, "%s", s->issuer);
	while (url.len > 0 && url.data[url.len - 1] == '/')
		url.data[--url.len] = '\0';
	strbuf_printf(&url, "/.well-known/openid-configuration");
	if (url.failed) {
		strbuf_release(&url);
		return CS_ENOMEM;
	}
	struct oidc_request req = {
	        .url = url.data, .timeout_ms = s->timeout_ms, .what = "discovery"};
	if ((rc = oidc_http_json_object(&doc, &req)) == CS_OK)
		rc = read_discovery(out, doc, s->issuer);
	json_decref(doc);
	strbuf_release(&url);
	return rc;
}

/*
 * Under the lock: keep freshly fetched `e`. The keys stay while they are young and still at
 * e's jwks_uri, so a start (which always fetches) does not cost the next callback a key fetch.
 */
static void cache_store(const struct oidc_settings *s, const struct oidc_endpoints *e, time_t now)
{
	bool same_keys = cache.fetched_at && !strcmp(cache.issuer, s->issuer) &&
	                 !strcmp(cache.endpoints.jwks, e->jwks) &&
	                 now - cache.jwks_fetched_at < OIDC_DISCOVERY_TTL;

	if (!same_keys) {
		json_decref(cache.jwks);
		cache.jwks = NULL;
	}
	snprintf(cache.issuer, sizeof(cache.issuer), "%s", s->issuer);
	cache.endpoints = *e;
	cache.fetched_at = now;
}

int oidc_discover(struct oidc_endpoints *out, const struct oidc_settings *s, bool fresh)
{
	time_t now = time(NULL);
	bool hit = false;
	int rc;

	pthread_mutex_lock(&cache_lock);
	if (!fresh && cache.fetched_at && now - cache.fetched_at < OIDC_DISCOVERY_TTL &&
	    !strcmp(cache.issuer, s->issuer)) {
		*out = cache.endpoints;
		hit = true;
	}
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return CS_OK;
	/*
	 * Fetched without the lock: a slow provider must not queue every other sign-in behind it.
	 * A failure is never cached: the next call asks the provider again.
	 */
	if ((rc = fetch_discovery(out, s)) != CS_OK)
		return rc;
	pthread_mutex_lock(&cache_lock);
	cache_store(s, out, now);
	pthread_mutex_unlock(&cache_lock);
	return CS_OK;
}

static int fetch_jwks(json_t **out, const char *url, int timeout_ms)
{
	struct oidc_request req = {.url = url, .timeout_ms = timeout_ms, .what = "key set"};
	int rc = oidc_http_json_object(out, &req);

	if (rc == CS_OK && !json_is_array(json_object_get(*out, "keys"))) {
		json_decref(*out);
		*out = NULL;
		rc = oidc_unreachable("key set", "an unusable answer");
	}
	return rc;
}

/* True when the cache holds the discovery of `s` naming key set `e->jwks` (under the lock). */
static bool cache_holds(const struct oidc_settings *s, const struct oidc_endpoints *e)
{
	return cache.fetched_at && !strcmp(cache.issuer, s->issuer) &&
	       !strcmp(cache.endpoints.jwks, e->jwks);
}

/*
 * Under the lock: a copy of the cached keys into `*keys` (`*done` true), or whether a fetch may
 * go ahead (`*done` false; a refetch reserves the interval's one fetch).
 */
static int keys_from_cache(json_t **keys, bool *done, const struct oidc_settings *s,
                           const struct oidc_endpoints *e, bool refetch, time_t now)
{
	*keys = NULL;
	*done = true;
	if (!refetch && cache_holds(s, e) && cache.jwks &&
	    now - cache.jwks_fetched_at < OIDC_DISCOVERY_TTL)
		return (*keys = json_deep_copy(cache.jwks)) ? CS_OK : CS_ENOMEM;
	if (refetch && cache.jwks_refetched_at &&
	    now - cache.jwks_refetched_at < OIDC_JWKS_REFETCH_INTERVAL)
		return CS_OK;
	if (refetch)
		cache.jwks_refetched_at = now;
	*done = false;
	return CS_OK;
}

int oidc_signing_keys(json_t **keys, const struct oidc_settings *s, const struct oidc_endpoints *e,
                      bool refetch)
{
	json_t *fetched = NULL;
	bool done;
	int rc;

	pthread_mutex_lock(&cache_lock);
	rc = keys_from_cache(keys, &done, s, e, refetch, time(NULL));
	pthread_mutex_unlock(&cache_lock);
	if (done)
		return rc;
	if (refetch)
		LOG_INFO("oidc provider: fetching the key set again for an unknown key id");
	/* Fetched without the lock, like discovery. */
	if ((rc = fetch_jwks(&fetched, e->jwks, s->timeout_ms)) != CS_OK)
		return rc;
	json_t *kept = json_deep_copy(fetched);
	if (!kept) {
		json_decref(fetched);
		return CS_ENOMEM;
	}
	pthread_mutex_lock(&cache_lock);
	if (cache_holds(s, e)) {
		json_decref(cache.jwks);
		cache.jwks = kept;
		cache.jwks_fetched_at = time(NULL);
		kept = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
	json_decref(kept);
	*keys = fetched;
	return CS_OK;
}
