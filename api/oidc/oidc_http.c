#include "oidc/oidc_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stopping.h"

/* Largest answer read from the provider (discovery documents are a few KB). */
#define OIDC_ANSWER_MAX (256 * 1024)
/* Connecting may take at most this long, within the total timeout. */
#define OIDC_CONNECT_TIMEOUT_MS 3000

int oidc_unreachable(const char *what, const char *why)
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

/* The request's headers: JSON wanted, and the bearer token when there is one. */
static struct curl_slist *headers_of(const struct oidc_request *req)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json"), *more;
	struct strbuf auth = STRBUF_INIT;

	if (!h || !req->bearer)
		return h;
	strbuf_printf(&auth, "Authorization: Bearer %s", req->bearer);
	more = auth.failed ? NULL : curl_slist_append(h, auth.data);
	strbuf_release(&auth);
	if (!more)
		curl_slist_free_all(h);
	return more;
}

static void set_options(CURL *c, const struct oidc_request *req, struct curl_slist *headers,
                        struct strbuf *answer, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	stopping_watch_transfer(c);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 (long)(req->timeout_ms < OIDC_CONNECT_TIMEOUT_MS
	                                ? req->timeout_ms
	                                : OIDC_CONNECT_TIMEOUT_MS));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (req->form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->form);
	if (req->basic_user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->basic_secret ? req->basic_secret : "");
	}
}

int oidc_http_call(long *status, struct strbuf *answer, const struct oidc_request *req)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = headers_of(req);
	CURL *c = curl_easy_init();
	int rc = CS_OK;

	*status = 0;
	if (!c || !headers) {
		rc = CS_ENOMEM;
		goto out;
	}
	set_options(c, req, headers, answer, errbuf);
	CURLcode res = curl_easy_perform(c);
	if (res != CURLE_OK) {
		rc = oidc_unreachable(req->what, errbuf[0] ? errbuf : curl_easy_strerror(res));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
out:
	curl_slist_free_all(headers);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

int oidc_http_json_object(json_t **out, const struct oidc_request *req)
{
	struct strbuf answer = STRBUF_INIT;
	json_t *doc = NULL;
	long status = 0;
	int rc = oidc_http_call(&status, &answer, req);

	*out = NULL;
	if (rc == CS_OK) {
		if (status == 200 && answer.data)
			doc = json_loadb(answer.data, answer.len, 0, NULL);
		if (json_is_object(doc)) {
			*out = doc;
			doc = NULL;
		} else {
			rc = oidc_unreachable(req->what, status == 200 ? "an unusable answer"
			                                               : "an error status");
		}
	}
	json_decref(doc);
	strbuf_release(&answer);
	return rc;
}
