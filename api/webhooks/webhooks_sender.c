#include "webhooks/webhooks_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/b64url.h"
#include "core/hash.h"
#include "core/hex.h"
#include "core/net_address.h"
#include "core/random.h"
#include "core/strbuf.h"

#define SECRET_PREFIX  "whsec_"
#define MAX_URL_LENGTH 2048

int webhooks_secret(char out[WEBHOOKS_SECRET_SIZE], const char *key, const char *nonce_hex)
{
	unsigned char mac[HASH_SHA256_SIZE], *nonce = NULL;
	size_t len = 0;
	int rc;

	out[0] = '\0';
	if (hex_decode(&nonce, &len, nonce_hex) != 0)
		return CS_EINVALID;
	rc = hash_hmac_sha256(mac, key, strlen(key), nonce, len);
	free(nonce);
	if (rc != CS_OK)
		return rc;
	memcpy(out, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1);
	b64url_encode(out + sizeof(SECRET_PREFIX) - 1, mac, sizeof(mac));
	return CS_OK;
}

int webhooks_new_nonce(char out[2 * WEBHOOKS_NONCE_BYTES + 1])
{
	unsigned char raw[WEBHOOKS_NONCE_BYTES];
	int rc = random_bytes(raw, sizeof(raw));

	if (rc == CS_OK)
		hex_encode(out, raw, sizeof(raw));
	return rc;
}

int webhooks_signature(char **out, long long t, const char *body, const char *const *secrets,
                       size_t count)
{
	struct strbuf signed_text = STRBUF_INIT, header = STRBUF_INIT;
	unsigned char mac[HASH_SHA256_SIZE];
	char hex[2 * HASH_SHA256_SIZE + 1];
	int rc = CS_OK;

	*out = NULL;
	strbuf_printf(&signed_text, "%lld.%s", t, body);
	strbuf_printf(&header, "t=%lld", t);
	for (size_t i = 0; i < count && rc == CS_OK && !signed_text.failed; i++) {
		rc = hash_hmac_sha256(mac, secrets[i], strlen(secrets[i]), signed_text.data,
		                      signed_text.len);
		hex_encode(hex, mac, sizeof(mac));
		strbuf_printf(&header, ",v1=%s", hex);
	}
	if (rc == CS_OK && (signed_text.failed || header.failed))
		rc = CS_ENOMEM;
	if (rc == CS_OK)
		*out = strbuf_detach(&header, NULL);
	strbuf_release(&signed_text);
	strbuf_release(&header);
	return rc;
}

/* ---- the URL a hauler registers ---------------------------------------------------------------
 */

static int url_problem(const char *code, const char *sentence)
{
	int rc = cs_error_set(CS_EINVALID, code, "%s", sentence);

	cs_error_set_field("url");
	return rc;
}

/* True when every address `host` resolves to is public; *resolved false when it resolves to none.
 */
static bool resolves_public(bool *resolved, const char *host)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list = NULL;
	bool public = true;

	*resolved = getaddrinfo(host, NULL, &hints, &list) == 0 && list;
	for (struct addrinfo *a = list; a; a = a->ai_next)
		if (net_address_blocked(a->ai_addr))
	public = false;
	if (list)
		freeaddrinfo(list);
	return public;
}

/* The host without the brackets of an IPv6 literal, into `out` (`cap` bytes). */
static void bare_host(char *out, size_t cap, const char *host)
{
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		snprintf(out, cap, "%.*s", (int)(len - 2), host + 1);
	else
		snprintf(out, cap, "%s", host);
}

/* The scheme and host rules, once the URL parsed. */
static int judge_url(const char *scheme, const char *host, bool production, bool allow_private)
{
	char bare[256];
	bool resolved = false;

	if (strcmp(scheme, "https") != 0 &&
	    (strcmp(scheme, "http") != 0 || production || !net_address_is_loopback_host(host)))
		return url_problem(
		        "webhook_url_not_https",
		        "Use an https:// URL (http:// only to this machine, in development).");
	if (allow_private)
		return CS_OK;
	bare_host(bare, sizeof(bare), host);
	if (net_address_text_blocked(bare) || net_address_is_loopback_host(bare))
		return url_problem("webhook_url_not_public",
		                   "The URL names a private, loopback or link-local address.");
	if (!resolves_public(&resolved, bare))
		return url_problem(
		        "webhook_url_not_public",
		        "The URL's host resolves to a private, loopback or link-local address.");
	if (!resolved)
		return url_problem("webhook_url_unresolvable",
		                   "The URL's host name does not resolve.");
	return CS_OK;
}

int webhooks_url_check(const char *url, bool production, bool allow_private)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *fragment = NULL;
	int rc = CS_ENOMEM;

	if (!u)
		goto out;
	if (strlen(url) > MAX_URL_LENGTH || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		rc = url_problem("webhook_url_invalid", "Use an absolute https:// URL.");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK) {
		rc = url_problem("webhook_url_invalid",
		                 "The URL may carry no user name, password or #fragment.");
		goto out;
	}
	rc = judge_url(scheme, host, production, allow_private);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(fragment);
	curl_url_cleanup(u);
	return rc;
}

/* ---- one delivery -----------------------------------------------------------------------------
 */

struct transfer {
	struct webhooks_attempt *a;
	const struct webhooks_send_options *opt;
	size_t excerpt_len;
};

/* Keep the answer's first bytes; read (and drop) the rest, so the status is the endpoint's. */
static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb, room = WEBHOOKS_EXCERPT_BYTES - t->excerpt_len;
	size_t take = n < room ? n : room;

	memcpy(t->a->excerpt + t->excerpt_len, ptr, take);
	t->excerpt_len += take;
	t->a->excerpt[t->excerpt_len] = '\0';
	return n;
}

/* libcurl calls this often, even while connecting: a stopping worker aborts the transfer. */
static int check_cancel(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                        curl_off_t ulnow)
{
	const struct transfer *t = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return t->opt->cancel && atomic_load(t->opt->cancel) ? 1 : 0;
}

/*
 * Every socket libcurl opens goes through here with the address it is about to connect to: a
 * name that resolved to a public address at registration and to a private one now is refused
 * here, where it counts.
 */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct transfer *t = clientp;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (!t->opt->allow_private && net_address_blocked(&address->addr)) {
		t->a->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

static struct curl_slist *build_headers(const struct webhooks_attempt *a)
{
	const char *names[] = {"Curbside-Event-Id", "Curbside-Event-Type", "Curbside-Signature"};
	const char *values[] = {a->event_id, a->event_type, a->signature};
	struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
	char line[1024];

	list = list ? curl_slist_append(list, "Expect:") : NULL;
	for (size_t i = 0; list && i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(line, sizeof(line), "%s: %s", names[i], values[i]);
		struct curl_slist *more = curl_slist_append(list, line);
		if (!more)
			curl_slist_free_all(list);
		list = more;
	}
	return list;
}

static void set_options(CURL *c, struct transfer *t, struct curl_slist *headers, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, t->a->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* No proxy, whatever the environment says: the socket check must see the endpoint. */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, t->a->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(t->a->body));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)t->opt->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)t->opt->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_cancel);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Curbside-Webhooks/" CURBSIDE_VERSION);
}

static long elapsed_ms(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - from->tv_sec) * 1000L + (now.tv_nsec - from->tv_nsec) / 1000000L;
}

/* What came of a transfer that ended with `cc`. */
static void judge_transfer(struct webhooks_attempt *a, CURL *c, CURLcode cc, const char *errbuf)
{
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		a->cancelled = true;
		return;
	}
	if (a->refused) {
		snprintf(a->error, sizeof(a->error),
		         "refused: the endpoint's address is not public (private, loopback or "
		         "link-local)");
		return;
	}
	if (cc != CURLE_OK) {
		snprintf(a->error, sizeof(a->error), "%s",
		         *errbuf ? errbuf : curl_easy_strerror(cc));
		return;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->http_status);
	a->success = a->http_status >= 200 && a->http_status < 300;
}

int webhooks_send(struct webhooks_attempt *a, const struct webhooks_send_options *opt)
{
	struct transfer t = {.a = a, .opt = opt};
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct timespec start;
	CURL *c = NULL;
	int rc = CS_ENOMEM;

	a->http_status = 0;
	a->success = a->refused = a->cancelled = false;
	a->error[0] = a->excerpt[0] = '\0';
	if (!(c = curl_easy_init()) || !(headers = build_headers(a)))
		goto out;
	set_options(c, &t, headers, errbuf);
	clock_gettime(CLOCK_MONOTONIC, &start);
	CURLcode cc = curl_easy_perform(c);
	a->latency_ms = elapsed_ms(&start);
	judge_transfer(a, c, cc, errbuf);
	rc = CS_OK;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc;
}

int webhooks_sender_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CS_OK : CS_EINTERNAL;
}

void webhooks_sender_cleanup(void)
{
	curl_global_cleanup();
}
