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
#include "core/stopping.h"
#include "core/strbuf.h"
#include "oidc/oidc_signature.h"

/* Largest answer read from the provider (discovery documents are a few KB). */
#define OIDC_ANSWER_MAX (256 * 1024)
/* Connecting may take at most this long, within the total timeout. */
#define OIDC_CONNECT_TIMEOUT_MS 3000

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char issuer[OIDC_URL_MAX];
	struct oidc_endpoints endpoints;
	time_t fetched_at; /* 0: empty */
	json_t *jwks;      /* the key set at endpoints.jwks; NULL until a callback needs it */
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

static int unreachable(const char *what, const char *why)
{
	LOG_WARN("oidc provider: %s failed: %s", what, why);
	return cs_error_set(CS_EUPSTREAM, "provider_unreachable",
	                    "The sign-in provider could not be reached. Please try again in a "
	                    "moment.");
}

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
	struct strbuf *b = userdata;

	if (b->len + size * n > OIDC_ANSWER_MAX)
		return 0; /* too large: abort the transfer */
	strbuf_append(b, data, size * n);
	return b->failed ? 0 : size * n;
}

/*
 * GET `url`, or POST the form `form` to it, within `timeout_ms`; `*status` and `answer` get the
 * HTTP status and body. CS_EUPSTREAM (already recorded) when no complete answer arrived.
 */
static int http_call(long *status, struct strbuf *answer, const char *url, const char *form,
                     int timeout_ms, const char *what)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	CURL *c = curl_easy_init();
	int rc = CS_OK;

	*status = 0;
	if (!c || !headers) {
		rc = CS_ENOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	stopping_watch_transfer(c);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(timeout_ms < OIDC_CONNECT_TIMEOUT_MS ? timeout_ms
	                                                             : OIDC_CONNECT_TIMEOUT_MS));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	CURLcode res = curl_easy_perform(c);
	if (res != CURLE_OK) {
		rc = unreachable(what, errbuf[0] ? errbuf : curl_easy_strerror(res));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(headers);
	if (c)
		curl_easy_cleanup(c);
	return rc;
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

static int fetch_discovery(struct oidc_endpoints *out, const struct oidc_settings *s)
{
	struct strbuf url = STRBUF_INIT, answer = STRBUF_INIT;
	json_t *doc = NULL;
	long status = 0;
	int rc;

	strbuf_printf(&url, "%s", s->issuer);
	while (url.len > 0 && url.data[url.len - 1] == '/')
		url.data[--url.len] = '\0';
	strbuf_printf(&url, "/.well-known/openid-configuration");
	if (url.failed) {
		rc = CS_ENOMEM;
		goto out;
	}
	if ((rc = http_call(&status, &answer, url.data, NULL, s->timeout_ms, "discovery")) != CS_OK)
		goto out;
	doc = status == 200 && answer.data ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
	const char *issuer = json_string_value(json_object_get(doc, "issuer"));
	if (!doc || !issuer || strcmp(issuer, s->issuer) ||
	    !take_endpoint(out->authorization, doc, "authorization_endpoint", s->issuer) ||
	    !take_endpoint(out->token, doc, "token_endpoint", s->issuer) ||
	    !take_endpoint(out->jwks, doc, "jwks_uri", s->issuer)) {
		rc = unreachable("discovery",
		                 status == 200 ? "an unusable document" : "an error status");
		goto out;
	}
	out->algs =
	        oidc_signature_algs(json_object_get(doc, "id_token_signing_alg_values_supported"));
	if (!out->algs)
		rc = unreachable("discovery",
		                 "no ID token signing algorithm we verify (RS256, ES256, "
		                 "RS384, RS512, ES384, ES512) is advertised");
out:
	json_decref(doc);
	strbuf_release(&url);
	strbuf_release(&answer);
	return rc;
}

int oidc_discover(struct oidc_endpoints *out, const struct oidc_settings *s)
{
	time_t now = time(NULL);
	bool hit = false;
	int rc;

	pthread_mutex_lock(&cache_lock);
	if (cache.fetched_at && now - cache.fetched_at < OIDC_DISCOVERY_TTL &&
	    !strcmp(cache.issuer, s->issuer)) {
		*out = cache.endpoints;
		hit = true;
	}
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return CS_OK;
	/* Fetched without the lock: a slow provider must not queue every other sign-in behind it.
	 */
	if ((rc = fetch_discovery(out, s)) != CS_OK)
		return rc;
	pthread_mutex_lock(&cache_lock);
	snprintf(cache.issuer, sizeof(cache.issuer), "%s", s->issuer);
	cache.endpoints = *out;
	cache.fetched_at = now;
	/* The keys are fetched again with each discovery. */
	json_decref(cache.jwks);
	cache.jwks = NULL;
	pthread_mutex_unlock(&cache_lock);
	return CS_OK;
}

static int fetch_jwks(json_t **out, const char *url, int timeout_ms)
{
	struct strbuf answer = STRBUF_INIT;
	json_t *doc = NULL;
	long status = 0;
	int rc;

	*out = NULL;
	if ((rc = http_call(&status, &answer, url, NULL, timeout_ms, "key set")) != CS_OK)
		goto out;
	doc = status == 200 && answer.data ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
	if (!json_is_array(json_object_get(doc, "keys"))) {
		rc = unreachable("key set",
		                 status == 200 ? "an unusable document" : "an error status");
		goto out;
	}
	*out = doc;
	doc = NULL;
out:
	json_decref(doc);
	strbuf_release(&answer);
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
	if (!refetch && cache_holds(s, e) && cache.jwks)
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
		kept = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
	json_decref(kept);
	*keys = fetched;
	return CS_OK;
}

static void form_param(struct strbuf *b, CURL *c, const char *name, const char *value)
{
	char *esc = curl_easy_escape(c, value, 0);

	if (!esc) {
		b->failed = 1;
		return;
	}
	strbuf_printf(b, "%s%s=%s", b->len ? "&" : "", name, esc);
	curl_free(esc);
}

/* The exchange's form body (client_secret_post). `*out` malloc'd. */
static int exchange_form(char **out, const struct oidc_settings *s, const char *code,
                         const char *verifier, const char *redirect_uri)
{
	struct strbuf b = STRBUF_INIT;
	CURL *c = curl_easy_init();

	*out = NULL;
	if (!c)
		return CS_ENOMEM;
	form_param(&b, c, "grant_type", "authorization_code");
	form_param(&b, c, "code", code);
	form_param(&b, c, "redirect_uri", redirect_uri);
	form_param(&b, c, "client_id", s->client_id);
	form_param(&b, c, "client_secret", s->client_secret);
	form_param(&b, c, "code_verifier", verifier);
	curl_easy_cleanup(c);
	*out = strbuf_detach(&b, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}

/* An OAuth error answer (RFC 6749 5.2): the provider refused this code. */
static int refused(const json_t *doc)
{
	const char *error = json_string_value(json_object_get(doc, "error"));
	char shown[41] = "unknown";

	/* Only a bounded code of safe characters reaches the client and the log. */
	if (error && strlen(error) < sizeof(shown) &&
	    strspn(error, "abcdefghijklmnopqrstuvwxyz_") == strlen(error))
		snprintf(shown, sizeof(shown), "%s", error);
	/* Our own credentials refused: configuration, not the person's sign-in. */
	if (!strcmp(shown, "invalid_client") || !strcmp(shown, "unauthorized_client"))
		return unreachable("token exchange",
		                   "the client was refused: check CURBSIDE_OIDC_CLIENT_ID and "
		                   "CURBSIDE_OIDC_CLIENT_SECRET");
	LOG_INFO("oidc provider refused a code: %s", shown);
	return cs_error_set(CS_EUNAUTHORIZED, "provider_error",
	                    "The sign-in provider did not accept this sign-in (%s). Please start "
	                    "again.",
	                    shown);
}

int oidc_exchange_code(char **id_token, const struct oidc_settings *s, const char *token_endpoint,
                       const char *code, const char *verifier, const char *redirect_uri)
{
	struct strbuf answer = STRBUF_INIT;
	char *form = NULL;
	json_t *doc = NULL;
	long status = 0;
	int rc;

	*id_token = NULL;
	if ((rc = exchange_form(&form, s, code, verifier, redirect_uri)) != CS_OK)
		return rc;
	if ((rc = http_call(&status, &answer, token_endpoint, form, s->timeout_ms,
	                    "token exchange")) != CS_OK)
		goto out;
	doc = answer.data ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
	if ((status == 400 || status == 401) && json_is_string(json_object_get(doc, "error"))) {
		rc = refused(doc);
		goto out;
	}
	const char *token = json_string_value(json_object_get(doc, "id_token"));
	if (status != 200 || !token) {
		rc = unreachable("token exchange",
		                 status == 200 ? "no id_token" : "an error status");
		goto out;
	}
	rc = (*id_token = strdup(token)) ? CS_OK : CS_ENOMEM;
out:
	json_decref(doc);
	strbuf_release(&answer);
	free(form);
	return rc;
}
