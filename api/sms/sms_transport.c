#include "sms/sms_transport.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dirs.h"
#include "core/strbuf.h"

#define CONNECT_TIMEOUT_MS 3000L
#define MAX_ANSWER_BYTES   (64 * 1024)

struct sms_transport {
	bool http;
	char *messages_url; /* <CURBSIDE_SMS_URL>/Messages.json */
	char *account, *token, *from;
	char *dir;
	long timeout_ms;
	const atomic_bool *cancel;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int sms_transport_open(struct sms_transport **out, const struct config *cfg,
                       const atomic_bool *cancel)
{
	struct sms_transport *t = calloc(1, sizeof(*t));
	struct strbuf url = STRBUF_INIT;

	*out = NULL;
	if (!t)
		return CS_ENOMEM;
	t->http = *cfg->sms_url != '\0';
	t->cancel = cancel;
	t->timeout_ms = cfg->sms_timeout_ms;
	strbuf_printf(&url, "%s", cfg->sms_url);
	while (url.len && url.data[url.len - 1] == '/')
		url.data[--url.len] = '\0';
	strbuf_printf(&url, "/Messages.json");
	t->messages_url = strbuf_detach(&url, NULL);
	t->account = dup_or_null(cfg->sms_account);
	t->token = dup_or_null(cfg->sms_token);
	t->from = dup_or_null(cfg->sms_from);
	t->dir = dup_or_null(cfg->sms_dir);
	if (!t->messages_url || !t->account || !t->token || !t->from || !t->dir) {
		sms_transport_close(t);
		return CS_ENOMEM;
	}
	int rc =
	        t->http ? (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? CS_OK : CS_EINTERNAL)
	                : dirs_make(t->dir);
	if (rc != CS_OK) {
		t->http = false; /* no curl_global_cleanup for a failed init */
		sms_transport_close(t);
		return rc;
	}
	*out = t;
	return CS_OK;
}

void sms_transport_close(struct sms_transport *t)
{
	if (!t)
		return;
	if (t->http)
		curl_global_cleanup();
	free(t->messages_url);
	free(t->account);
	free(t->token);
	free(t->from);
	free(t->dir);
	free(t);
}

const char *sms_transport_kind(const struct sms_transport *t)
{
	return t->http ? "http" : "file";
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct strbuf *b = userdata;
	size_t n = size * nmemb;

	if (b->len + n > MAX_ANSWER_BYTES)
		return 0;
	strbuf_append(b, ptr, n);
	return b->failed ? 0 : n;
}

/* libcurl calls this often, even while connecting: a stopping worker aborts the transfer. */
static int check_cancel(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                        curl_off_t ulnow)
{
	const struct sms_transport *t = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return t->cancel && atomic_load(t->cancel) ? 1 : 0;
}

/* The form To=..&From=..&Body=.. (values escaped); NULL when out of memory. */
static char *build_form(CURL *c, const struct sms_transport *t, const struct sms_send *msg)
{
	const char *names[] = {"To", "From", "Body"};
	const char *values[] = {msg->to, t->from, msg->body};
	struct strbuf form = STRBUF_INIT;

	for (size_t i = 0; i < 3; i++) {
		char *escaped = curl_easy_escape(c, values[i], 0);
		if (!escaped) {
			strbuf_release(&form);
			return NULL;
		}
		strbuf_printf(&form, "%s%s=%s", i ? "&" : "", names[i], escaped);
		curl_free(escaped);
	}
	return strbuf_detach(&form, NULL);
}

static void set_http_options(CURL *c, struct sms_transport *t, const char *form,
                             struct strbuf *answer, char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, t->messages_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, t->account);
	curl_easy_setopt(c, CURLOPT_PASSWORD, t->token);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 t->timeout_ms < CONNECT_TIMEOUT_MS ? t->timeout_ms : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_cancel);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "curbside/" CURBSIDE_VERSION);
}

/* Judge the API's answer `status` with body `answer`: the reference of a 2xx, else the reason. */
static int judge_answer(struct sms_send *msg, long status, const char *answer)
{
	json_t *doc = answer ? json_loads(answer, 0, NULL) : NULL;
	const char *sid = json_string_value(json_object_get(doc, "sid"));
	const char *why = json_string_value(json_object_get(doc, "message"));
	int rc = CS_OK;

	if (status >= 200 && status < 300) {
		snprintf(msg->ref, msg->ref_size, "%s", sid ? sid : "");
	} else {
		snprintf(msg->error, msg->error_size, "SMS API answered %ld%s%.200s%s", status,
		         why ? " (" : "", why ? why : "", why ? ")" : "");
		bool temporary = status == 429 || status >= 500 || status == 401 || status == 403;
		rc = temporary ? CS_EUNAVAILABLE : CS_EINVALID;
	}
	json_decref(doc);
	return rc;
}

static int send_http(struct sms_transport *t, struct sms_send *msg)
{
	CURL *c = curl_easy_init();
	struct strbuf answer = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "", *form = NULL;
	long status = 0;
	int rc = CS_ENOMEM;

	if (!c || !(form = build_form(c, t, msg)))
		goto out;
	set_http_options(c, t, form, &answer, errbuf);
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		snprintf(msg->error, msg->error_size, "SMS API: %s",
		         *errbuf ? errbuf : curl_easy_strerror(cc));
		rc = CS_EUNAVAILABLE;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	rc = judge_answer(msg, status, answer.data);
out:
	strbuf_release(&answer);
	free(form);
	curl_easy_cleanup(c);
	return rc;
}

/* ---- the development directory --------------------------------------------------------------- */

/* Write to a hidden temporary name, then rename: a reader never sees half a text. */
static int send_file(struct sms_transport *t, struct sms_send *msg)
{
	struct timespec now;
	struct tm tm;
	char stamp[32], path[4096], tmp[4096];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s/%s.%03ldZ-%s.txt", t->dir, stamp, now.tv_nsec / 1000000,
	         msg->id);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", t->dir, msg->id);
	FILE *f = dirs_make(t->dir) == CS_OK ? fopen(tmp, "we") : NULL;
	bool ok = f &&
	          fprintf(f, "To: %s\nFrom: %s\n\n%s\n", msg->to,
	                  *t->from ? t->from : "(development)", msg->body) > 0 &&
	          fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0) {
		snprintf(msg->error, msg->error_size, "SMS dir: cannot write into %s: %s", t->dir,
		         strerror(errno));
		unlink(tmp);
		return CS_EUNAVAILABLE;
	}
	snprintf(msg->ref, msg->ref_size, "file:%s", strrchr(path, '/') + 1);
	return CS_OK;
}

int sms_transport_send(struct sms_transport *t, struct sms_send *msg)
{
	if (msg->error_size)
		*msg->error = '\0';
	if (msg->ref_size)
		*msg->ref = '\0';
	return t->http ? send_http(t, msg) : send_file(t, msg);
}
