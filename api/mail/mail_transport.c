#include "mail/mail_transport.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dirs.h"

#define CONNECT_TIMEOUT_SECONDS 10L
#define SEND_TIMEOUT_SECONDS    30L

struct mail_transport {
	CURL *curl; /* SMTP; NULL when writing files */
	char *url;
	char *dir;
	bool require_tls;
	const atomic_bool *cancel;
};

struct upload {
	const char *data;
	size_t len;
	size_t pos;
};

/* Credentials in the URL: insist on TLS so they never cross the network in clear. */
static bool url_has_password(const char *url)
{
	CURLU *u = curl_url();
	char *password = NULL;
	bool has = false;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK)
		has = password && *password;
	curl_free(password);
	curl_url_cleanup(u);
	return has;
}

int mail_transport_open(struct mail_transport **out, const char *smtp_url, const char *mail_dir,
                        const atomic_bool *cancel)
{
	struct mail_transport *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (!t)
		return CS_ENOMEM;
	t->cancel = cancel;
	if (smtp_url && *smtp_url) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			free(t);
			return CS_EINTERNAL;
		}
		t->url = strdup(smtp_url);
		t->curl = curl_easy_init();
		t->require_tls = url_has_password(smtp_url);
		if (!t->url || !t->curl) {
			mail_transport_close(t);
			return CS_ENOMEM;
		}
	} else {
		t->dir = strdup(mail_dir);
		if (!t->dir) {
			mail_transport_close(t);
			return CS_ENOMEM;
		}
		int rc = dirs_make(t->dir);
		if (rc != CS_OK) {
			mail_transport_close(t);
			return rc;
		}
	}
	*out = t;
	return CS_OK;
}

void mail_transport_close(struct mail_transport *t)
{
	if (!t)
		return;
	if (t->curl) {
		curl_easy_cleanup(t->curl);
		curl_global_cleanup();
	}
	free(t->url);
	free(t->dir);
	free(t);
}

const char *mail_transport_kind(const struct mail_transport *t)
{
	return t->curl ? "smtp" : "file";
}

/* ---- SMTP ------------------------------------------------------------------------------------ */

static size_t read_message(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct upload *up = userdata;
	size_t n = size * nitems;

	if (n > up->len - up->pos)
		n = up->len - up->pos;
	memcpy(buf, up->data + up->pos, n);
	up->pos += n;
	return n;
}

/* libcurl calls this often, even while connecting: a stopping worker aborts the transfer. */
static int check_cancel(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                        curl_off_t ulnow)
{
	const struct mail_transport *t = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return t->cancel && atomic_load(t->cancel) ? 1 : 0;
}

static void set_smtp_options(struct mail_transport *t, struct upload *up, struct curl_slist *rcpt,
                             const char *from, char *errbuf)
{
	CURL *c = t->curl;

	curl_easy_reset(c); /* keeps the open connection for the next message */
	curl_easy_setopt(c, CURLOPT_URL, t->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, SEND_TIMEOUT_SECONDS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* smtp:// upgrades with STARTTLS when offered, and must when it carries a password. */
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	                 t->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_cancel);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

static int send_smtp(struct mail_transport *t, char *error, size_t error_size, const char *from,
                     const char *to, const char *message, size_t len)
{
	struct upload up = {message, len, 0};
	char errbuf[CURL_ERROR_SIZE] = "";
	char envelope_from[320], envelope_to[320];
	long code = 0;

	snprintf(envelope_from, sizeof(envelope_from), "<%s>", from);
	snprintf(envelope_to, sizeof(envelope_to), "<%s>", to);
	struct curl_slist *rcpt = curl_slist_append(NULL, envelope_to);
	if (!rcpt)
		return CS_ENOMEM;
	set_smtp_options(t, &up, rcpt, envelope_from, errbuf);
	CURLcode res = curl_easy_perform(t->curl);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(t->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpt);
	if (res == CURLE_OK)
		return CS_OK;
	const char *why = *errbuf ? errbuf : curl_easy_strerror(res);
	if (code)
		snprintf(error, error_size, "SMTP server answered %ld (%s)", code, why);
	else
		snprintf(error, error_size, "SMTP: %s", why);
	/* A 5xx to the message itself is final; a refused login is configuration, worth retrying
	 * once it is fixed. */
	if (code >= 500 && code < 600 && res != CURLE_LOGIN_DENIED)
		return CS_EINVALID;
	return CS_EUNAVAILABLE;
}

/* ---- the mailbox directory ------------------------------------------------------------------- */

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write to a hidden temporary name, then rename: a reader never sees half a message. */
static int send_file(struct mail_transport *t, char *error, size_t error_size, const char *message,
                     size_t len, const char *id)
{
	struct timespec now;
	struct tm tm;
	char stamp[32], path[4096], tmp[4096];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(path, sizeof(path), "%s/%s.%03ldZ-%s.eml", t->dir, stamp, now.tv_nsec / 1000000,
	         id);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", t->dir, id);
	if (dirs_make(t->dir) != CS_OK) {
		snprintf(error, error_size, "mail dir: cannot create %s: %s", t->dir,
		         strerror(errno));
		return CS_EUNAVAILABLE;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write_all(fd, message, len) != 0 || fsync(fd) != 0) {
		snprintf(error, error_size, "mail dir: cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return CS_EUNAVAILABLE;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(error, error_size, "mail dir: cannot rename to %s: %s", path,
		         strerror(errno));
		unlink(tmp);
		return CS_EUNAVAILABLE;
	}
	return CS_OK;
}

int mail_transport_send(struct mail_transport *t, char *error, size_t error_size, const char *from,
                        const char *to, const char *message, size_t len, const char *id)
{
	if (error_size)
		*error = '\0';
	if (t->curl)
		return send_smtp(t, error, error_size, from, to, message, len);
	return send_file(t, error, error_size, message, len, id);
}
