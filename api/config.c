#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/phone.h"

enum config_kind {
	KIND_STRING,
	KIND_INT,
	KIND_LONG,
	KIND_BOOL,
	KIND_ENV,
	KIND_LISTEN,
	KIND_WORKERS
};

struct config_var {
	const char *name;
	enum config_kind kind;
	const char *fallback; /* NULL: unset; "" is a value */
	size_t offset;
	long min, max; /* for numbers */
	const char *help;
};

#define AT(field) offsetof(struct config, field)

static const struct config_var config_vars[] = {
        {"CURBSIDE_ENV", KIND_ENV, "development", AT(production), 0, 0,
         "development or production; production refuses development secrets"},
        {"CURBSIDE_LISTEN", KIND_LISTEN, "127.0.0.1:8080", AT(listen_host), 0, 0,
         "address:port to bind (IPv4, or [IPv6]:port)"},
        {"CURBSIDE_DATABASE_URL", KIND_STRING, "postgresql:///curbside", AT(database_url), 0, 0,
         "libpq connection URI"},
        {"CURBSIDE_DB_POOL", KIND_INT, NULL, AT(db_pool), 1, 256,
         "database connections (default: 4 x cores, at most 128)"},
        {"CURBSIDE_DATABASE_READ_URL", KIND_STRING, "", AT(database_read_url), 0, 0,
         "libpq URI of one hot standby for heavy read-only portal requests (lists, statements, "
         "PDFs); empty: every request uses CURBSIDE_DATABASE_URL"},
        {"CURBSIDE_DB_READ_POOL", KIND_INT, NULL, AT(db_read_pool), 1, 256,
         "connections to the standby (default: CURBSIDE_DB_POOL)"},
        {"CURBSIDE_READ_MAX_LAG_MS", KIND_INT, "2000", AT(read_max_lag_ms), 1, 600000,
         "a standby lagging more than this many milliseconds is skipped: reads go to the "
         "primary"},
        {"CURBSIDE_DB_TIMEOUT_MS", KIND_INT, "2000", AT(db_timeout_ms), 1, 60000,
         "wait for a free connection before answering 503"},
        {"CURBSIDE_JWT_SECRET", KIND_STRING, CONFIG_DEV_JWT_SECRET, AT(jwt_secret), 0, 0,
         "HS256 signing secret, at least 32 bytes (required in production)"},
        {"CURBSIDE_JWT_PREVIOUS_SECRET", KIND_STRING, NULL, AT(jwt_previous_secret), 0, 0,
         "previous secret, still accepted while tokens signed with it expire"},
        {"CURBSIDE_OPERATOR_TOKEN", KIND_STRING, CONFIG_DEV_OPERATOR_TOKEN, AT(operator_token), 0,
         0, "platform operator bearer token, at least 32 characters in production"},
        {"CURBSIDE_TRUSTED_PROXIES", KIND_STRING, "", AT(trusted_proxies), 0, 0,
         "load balancers (addresses or ADDRESS/PREFIX networks, comma-separated) whose "
         "X-Forwarded-For names the client for the per-address limits; empty: the connection's "
         "peer is the client"},
        {"CURBSIDE_CORS_ORIGINS", KIND_STRING, "http://localhost:5173", AT(cors_origins), 0, 0,
         "comma-separated origins allowed to call the API from a browser"},
        {"CURBSIDE_MAX_BODY_BYTES", KIND_LONG, "65536", AT(max_body_bytes), 256, 16777216,
         "largest accepted request body; larger answers 413"},
        {"CURBSIDE_IDLE_TIMEOUT", KIND_INT, "30", AT(idle_timeout), 1, 3600,
         "seconds before an idle connection is closed"},
        {"CURBSIDE_MAX_CONNECTIONS", KIND_INT, "1024", AT(max_connections), 1, 65536,
         "simultaneous connections accepted (each has its own thread)"},
        {"CURBSIDE_MAX_CONNECTIONS_PER_ADDRESS", KIND_INT, "256", AT(max_connections_per_address),
         0, 65536,
         "simultaneous connections from one client address (0: no limit; behind a load balancer, "
         "its address)"},
        {"CURBSIDE_REQUEST_READ_TIMEOUT", KIND_INT, "30", AT(read_timeout), 1, 3600,
         "seconds a request's headers and body may take to arrive; later answers 408"},
        {"CURBSIDE_SHUTDOWN_SECONDS", KIND_INT, "10", AT(shutdown_seconds), 1, 3600,
         "on SIGTERM, how long requests in flight may finish before they are cancelled (503)"},
        {"CURBSIDE_MIGRATE_ON_START", KIND_BOOL, "false", AT(migrate_on_start), 0, 0,
         "serve applies pending migrations before listening"},
        {"CURBSIDE_LOG_LEVEL", KIND_STRING, "info", AT(log_level), 0, 0,
         "error, warning, info or debug"},
        {"CURBSIDE_ACCESS_LOG", KIND_BOOL, "true", AT(access_log), 0, 0,
         "one line per request on standard output"},
        {"CURBSIDE_LOGIN_MAX_FAILURES", KIND_INT, "5", AT(login_max_failures), 1, 1000,
         "failed logins per (tenant, email) within the window before 429"},
        {"CURBSIDE_LOGIN_WINDOW_SECONDS", KIND_INT, "900", AT(login_window_seconds), 1, 86400,
         "login throttling window"},
        {"CURBSIDE_LINK_MAX_FAILURES", KIND_INT, "10", AT(link_max_failures), 1, 1000,
         "failed link lookups (reset, verification, invitation, pay-link sign-up) per client "
         "address within the login window before 429"},
        {"CURBSIDE_REFRESH_GRACE_SECONDS", KIND_INT, "10", AT(refresh_grace_seconds), 0, 60,
         "a spent portal refresh token presented again this soon returns the same successor "
         "(two tabs refreshing at once); later it ends the session (0: never)"},
        {"CURBSIDE_BRANDING_CACHE_SECONDS", KIND_INT, "5", AT(branding_cache_seconds), 0, 3600,
         "how long a tenant's public branding is served from memory (0: always query)"},
        {"CURBSIDE_PUBLIC_URL", KIND_STRING, "http://localhost:5173/{tenant}", AT(public_url), 0, 0,
         "portal base URL used in email links; {tenant} becomes the tenant slug (set it in "
         "production)"},
        {"CURBSIDE_API_URL", KIND_STRING, "http://localhost:8080", AT(api_url), 0, 0,
         "this API's public base URL, for the addresses of what it serves in public (the "
         "hauler's uploaded logo, in emails and the portal); set it in production"},
        {"CURBSIDE_SMTP_URL", KIND_STRING, "", AT(smtp_url), 0, 0,
         "smtp://[user:password@]host[:port] or smtps://...; empty: write mail to "
         "CURBSIDE_MAIL_DIR"},
        {"CURBSIDE_MAIL_FROM", KIND_STRING, "portal@localhost", AT(mail_from), 0, 0,
         "sender address of every email (the display name is the hauler's)"},
        {"CURBSIDE_MAIL_DIR", KIND_STRING, ".data/mail", AT(mail_dir), 0, 0,
         "development mailbox: one .eml file per email when CURBSIDE_SMTP_URL is empty"},
        {"CURBSIDE_MAIL_POLL_SECONDS", KIND_INT, "5", AT(mail_poll_seconds), 1, 3600,
         "mail worker's polling interval (it also wakes on new mail at once)"},
        {"CURBSIDE_MAIL_RETRY_SECONDS", KIND_INT, "30", AT(mail_retry_seconds), 1, 3600,
         "first retry delay after a temporary failure; each later one is 4x longer"},
        {"CURBSIDE_WORKERS", KIND_WORKERS, "all", AT(workers), 0, 0,
         "background workers this process runs, in serve and in `curbside worker`: all, none, "
         "or a comma-separated list of mail, jobs, payments, autopay, sms, webhooks"},
        {"CURBSIDE_PAYMENTS", KIND_STRING, "sandbox", AT(payments), 0, 0,
         "payment processor: sandbox (in-process test tokens) or stripe; production needs it "
         "set explicitly"},
        {"CURBSIDE_STRIPE_URL", KIND_STRING, "https://api.stripe.com", AT(stripe_url), 0, 0,
         "base URL of the Stripe-compatible API (CURBSIDE_PAYMENTS=stripe)"},
        {"CURBSIDE_STRIPE_KEY", KIND_STRING, NULL, AT(stripe_key), 0, 0,
         "secret API key sent as a Bearer token (required when CURBSIDE_PAYMENTS=stripe)"},
        {"CURBSIDE_STRIPE_CONNECT_TIMEOUT_MS", KIND_INT, "3000", AT(stripe_connect_timeout_ms), 1,
         60000, "give up connecting to the processor after this long (502)"},
        {"CURBSIDE_STRIPE_TIMEOUT_MS", KIND_INT, "10000", AT(stripe_timeout_ms), 1, 120000,
         "give up on a whole processor request after this long (502; retried with its key)"},
        {"CURBSIDE_PAYMENTS_POLL_SECONDS", KIND_INT, "60", AT(payments_poll_seconds), 1, 3600,
         "how often the payments worker settles bank payments in flight and finishes payments "
         "whose request died"},
        {"CURBSIDE_SETTLE_WAIT_SECONDS", KIND_INT, "20", AT(settle_wait_seconds), 0, 300,
         "a payment or refund the processor has made waits this long for a database that went "
         "away (a failover) to record it, before answering 503 (its retry, or the payments "
         "worker, finishes it)"},
        {"CURBSIDE_SANDBOX_ACH_SETTLE_SECONDS", KIND_INT, "120", AT(sandbox_ach_settle_seconds), 0,
         86400 * 30, "sandbox bank payments stay pending this long, then settle (or are returned)"},
        {"CURBSIDE_PAYMENT_DECLINES_PER_HOUR", KIND_INT, "5", AT(payment_declines_per_hour), 1,
         1000,
         "declined (or unconfirmed) portal charges per portal user and per account in a rolling "
         "hour; past it charges answer 429 too_many_declines"},
        {"CURBSIDE_PAYMENT_METHODS_PER_HOUR", KIND_INT, "10", AT(payment_methods_per_hour), 1, 1000,
         "new payment methods (saved, or a card for one payment) per portal user and per account "
         "in a rolling hour; past it 429 too_many_payment_methods"},
        {"CURBSIDE_OIDC_ISSUER", KIND_STRING, "https://accounts.google.com", AT(oidc_issuer), 0, 0,
         "OpenID Connect issuer for \"Sign in with Google\" (any OIDC provider works)"},
        {"CURBSIDE_OIDC_CLIENT_ID", KIND_STRING, "", AT(oidc_client_id), 0, 0,
         "OAuth client id at the provider; empty: sign-in with Google is off"},
        {"CURBSIDE_OIDC_CLIENT_SECRET", KIND_STRING, "", AT(oidc_client_secret), 0, 0,
         "OAuth client secret (required with a client id)"},
        {"CURBSIDE_OIDC_TIMEOUT_MS", KIND_INT, "5000", AT(oidc_timeout_ms), 100, 60000,
         "longest wait for the provider (discovery, token endpoint) before answering 502"},
        {"CURBSIDE_AUTOPAY_POLL_SECONDS", KIND_INT, "60", AT(autopay_poll_seconds), 1, 3600,
         "how often the autopay scheduler charges what is due (NOTIFY curbside_autopay wakes it)"},
        {"CURBSIDE_AUTOPAY_BATCH", KIND_INT, "200", AT(autopay_batch), 1, 1000,
         "customers the autopay scheduler claims (and charges) per transaction"},
        {"CURBSIDE_AUTOPAY_LANES", KIND_INT, "2", AT(autopay_lanes), 1, 16,
         "autopay batches one process charges side by side (one database connection each)"},
        {"CURBSIDE_CLOCK_FILE", KIND_STRING, "", AT(clock_file), 0, 0,
         "development and tests only: a file holding an RFC 3339 instant that autopay and the "
         "service-request dates take as now (read on every use; refused in production)"},
        {"CURBSIDE_WEBHOOK_SIGNING_KEY", KIND_STRING, CONFIG_DEV_WEBHOOK_SIGNING_KEY,
         AT(webhook_signing_key), 0, 0,
         "server key, at least 32 bytes, from which every webhook endpoint's signing secret is "
         "derived (HMAC-SHA256 of a per-secret nonce; required in production; changing it "
         "changes every secret)"},
        {"CURBSIDE_WEBHOOK_ALLOW_PRIVATE", KIND_BOOL, "true", AT(webhook_allow_private), 0, 0,
         "webhooks may be registered for and delivered to private, loopback and link-local "
         "addresses (always false in production)"},
        {"CURBSIDE_WEBHOOK_CONNECT_TIMEOUT_MS", KIND_INT, "3000", AT(webhook_connect_timeout_ms),
         100, 60000, "give up connecting to a webhook endpoint after this long (a failed attempt)"},
        {"CURBSIDE_WEBHOOK_TIMEOUT_MS", KIND_INT, "10000", AT(webhook_timeout_ms), 100, 120000,
         "give up on a whole webhook delivery attempt after this long (a failed attempt)"},
        {"CURBSIDE_WEBHOOK_POLL_SECONDS", KIND_INT, "5", AT(webhook_poll_seconds), 1, 3600,
         "how often the webhooks worker looks for due retries (new events wake it at once)"},
        {"CURBSIDE_SMS_URL", KIND_STRING, "", AT(sms_url), 0, 0,
         "Twilio-compatible API base, texts are POSTed to <url>/Messages.json; empty: write "
         "texts to CURBSIDE_SMS_DIR (in production: service reminders are off unless that is "
         "set)"},
        {"CURBSIDE_SMS_ACCOUNT", KIND_STRING, "", AT(sms_account), 0, 0,
         "SMS API account (basic-auth user; required with CURBSIDE_SMS_URL)"},
        {"CURBSIDE_SMS_TOKEN", KIND_STRING, "", AT(sms_token), 0, 0,
         "SMS API token (basic-auth password; required with CURBSIDE_SMS_URL; never logged)"},
        {"CURBSIDE_SMS_FROM", KIND_STRING, "", AT(sms_from), 0, 0,
         "the sending number in E.164 form (required with CURBSIDE_SMS_URL)"},
        {"CURBSIDE_SMS_DIR", KIND_STRING, ".data/sms", AT(sms_dir), 0, 0,
         "development: one .txt file per text when CURBSIDE_SMS_URL is empty"},
        {"CURBSIDE_SMS_POLL_SECONDS", KIND_INT, "5", AT(sms_poll_seconds), 1, 3600,
         "SMS worker's polling interval (it also wakes on a new text at once)"},
        {"CURBSIDE_SMS_RETRY_SECONDS", KIND_INT, "30", AT(sms_retry_seconds), 1, 3600,
         "first retry delay after a temporary SMS failure; each later one is 4x longer"},
        {"CURBSIDE_PDF_FONT_DIR", KIND_STRING, "/usr/share/fonts/truetype/dejavu", AT(pdf_font_dir),
         0, 0,
         "directory of DejaVuSans.ttf and DejaVuSans-Bold.ttf, the fonts every PDF embeds "
         "(Debian's fonts-dejavu-core); the server refuses to start without them"},
        {"CURBSIDE_PDF_FALLBACK_FONT", KIND_STRING,
         "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", AT(pdf_fallback_font), 0, 0,
         "TrueType font for the characters DejaVu lacks (CJK; Debian's fonts-droid-fallback); "
         "empty: none; the default is skipped with a warning when not installed"},
        {"CURBSIDE_SMS_TIMEOUT_MS", KIND_INT, "10000", AT(sms_timeout_ms), 100, 120000,
         "give up on one request to the SMS API after this long (retried later)"},
};

static int parse_listen(struct config *cfg, const char *v)
{
	const char *colon = strrchr(v, ':');
	char host[64];
	unsigned char probe[sizeof(struct in6_addr)];

	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(host))
		return -1;
	size_t len = (size_t)(colon - v);
	if (v[0] == '[' && colon[-1] == ']') {
		memcpy(host, v + 1, len - 2);
		host[len - 2] = '\0';
		if (inet_pton(AF_INET6, host, probe) != 1)
			return -1;
	} else {
		memcpy(host, v, len);
		host[len] = '\0';
		if (inet_pton(AF_INET, host, probe) != 1)
			return -1;
	}
	char *end = NULL;
	long port = strtol(colon + 1, &end, 10);
	if (!*(colon + 1) || *end || port < 1 || port > 65535)
		return -1;
	cfg->listen_host = strdup(host);
	cfg->listen_port = (int)port;
	return cfg->listen_host ? 0 : -1;
}

static int parse_bool(bool *out, const char *v)
{
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* "all" (or "true"), "none" (or "false"), or a comma-separated list of worker names. */
static int parse_workers(unsigned *out, const char *v)
{
	/* clang-format off */
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"mail", CONFIG_WORKER_MAIL},
	             {"jobs", CONFIG_WORKER_JOBS},
	             {"payments", CONFIG_WORKER_PAYMENTS},
	             {"autopay", CONFIG_WORKER_AUTOPAY},
	             {"sms", CONFIG_WORKER_SMS},
	             {"webhooks", CONFIG_WORKER_WEBHOOKS}};
	/* clang-format on */
	bool all = false;

	if (!parse_bool(&all, v) || !strcmp(v, "all") || !strcmp(v, "none")) {
		*out = all || !strcmp(v, "all") ? CONFIG_WORKERS_ALL : 0;
		return 0;
	}
	*out = 0;
	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ","), i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= names[i].bit;
		p += len + (p[len] == ',');
	}
	return *out ? 0 : -1;
}

static int parse_number(long *out, const char *v, long min, long max)
{
	char *end = NULL;

	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || !*v || *end || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int apply_var(struct config *cfg, const struct config_var *var, const char *v)
{
	char *field = (char *)cfg + var->offset;
	long n = 0;

	switch (var->kind) {
	case KIND_STRING:
		*(char **)field = strdup(v);
		return *(char **)field ? 0 : -1;
	case KIND_INT:
		if (parse_number(&n, v, var->min, var->max) != 0)
			return -1;
		*(int *)field = (int)n;
		return 0;
	case KIND_LONG:
		if (parse_number(&n, v, var->min, var->max) != 0)
			return -1;
		*(long *)field = n;
		return 0;
	case KIND_BOOL:
		return parse_bool((bool *)field, v);
	case KIND_ENV:
		if (strcmp(v, "production") && strcmp(v, "development"))
			return -1;
		*(bool *)field = strcmp(v, "production") == 0;
		return 0;
	case KIND_LISTEN:
		return parse_listen(cfg, v);
	case KIND_WORKERS:
		return parse_workers((unsigned *)field, v);
	}
	return -1;
}

static int check_production(const struct config *cfg, FILE *err)
{
	int bad = 0;

	if (!cfg->production)
		return 0;
	if (!cfg->jwt_secret || !strcmp(cfg->jwt_secret, CONFIG_DEV_JWT_SECRET)) {
		fprintf(err, "CURBSIDE_JWT_SECRET: set a secret of your own in production\n");
		bad = 1;
	}
	if (!cfg->operator_token || !strcmp(cfg->operator_token, CONFIG_DEV_OPERATOR_TOKEN) ||
	    strlen(cfg->operator_token) < 32) {
		fprintf(err, "CURBSIDE_OPERATOR_TOKEN: set a token of at least 32 characters in "
		             "production\n");
		bad = 1;
	}
	/* Email must go somewhere real, with links that reach the real portal. */
	if (!getenv("CURBSIDE_PUBLIC_URL") || !*getenv("CURBSIDE_PUBLIC_URL")) {
		fprintf(err, "CURBSIDE_PUBLIC_URL: set the portal's URL in production\n");
		bad = 1;
	}
	if (!*cfg->smtp_url && (!getenv("CURBSIDE_MAIL_DIR") || !*getenv("CURBSIDE_MAIL_DIR"))) {
		fprintf(err, "CURBSIDE_SMTP_URL: set it in production (or set CURBSIDE_MAIL_DIR to "
		             "keep email in files on purpose)\n");
		bad = 1;
	}
	if (!cfg->webhook_signing_key ||
	    !strcmp(cfg->webhook_signing_key, CONFIG_DEV_WEBHOOK_SIGNING_KEY)) {
		fprintf(err, "CURBSIDE_WEBHOOK_SIGNING_KEY: set a key of your own in production\n");
		bad = 1;
	}
	if (*cfg->clock_file) {
		fprintf(err, "CURBSIDE_CLOCK_FILE: a clock override is for development and tests "
		             "only\n");
		bad = 1;
	}
	/* Test cards in production only on purpose. */
	if (!getenv("CURBSIDE_PAYMENTS") || !*getenv("CURBSIDE_PAYMENTS")) {
		fprintf(err,
		        "CURBSIDE_PAYMENTS: set it in production (stripe, or sandbox to take only "
		        "test tokens on purpose)\n");
		bad = 1;
	}
	return bad;
}

/* Text that ends up in mail headers or links: one line of printable ASCII. */
static bool is_header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 127 || strchr("<>\"(),;", *s))
			return false;
	return true;
}

static int check_mail(const struct config *cfg, FILE *err)
{
	int bad = 0;
	const char *at = strchr(cfg->mail_from, '@');

	if (strncmp(cfg->public_url, "http://", 7) && strncmp(cfg->public_url, "https://", 8)) {
		fprintf(err, "CURBSIDE_PUBLIC_URL: must start with http:// or https://\n");
		bad = 1;
	}
	if ((strncmp(cfg->api_url, "http://", 7) && strncmp(cfg->api_url, "https://", 8)) ||
	    !is_header_safe(cfg->api_url)) {
		fprintf(err, "CURBSIDE_API_URL: must be an http:// or https:// URL\n");
		bad = 1;
	}
	if (*cfg->smtp_url && strncmp(cfg->smtp_url, "smtp://", 7) &&
	    strncmp(cfg->smtp_url, "smtps://", 8)) {
		fprintf(err, "CURBSIDE_SMTP_URL: must start with smtp:// or smtps://\n");
		bad = 1;
	}
	if (!at || at == cfg->mail_from || !at[1] || strchr(at + 1, '@') ||
	    !is_header_safe(cfg->mail_from)) {
		fprintf(err, "CURBSIDE_MAIL_FROM: must be a plain address such as "
		             "portal@hauler.example\n");
		bad = 1;
	}
	return bad;
}

static int check_payments(const struct config *cfg, FILE *err)
{
	int bad = 0;

	if (strcmp(cfg->payments, "sandbox") && strcmp(cfg->payments, "stripe")) {
		fprintf(err, "CURBSIDE_PAYMENTS: sandbox or stripe\n");
		return 1;
	}
	if (!strcmp(cfg->payments, "stripe") && (!cfg->stripe_key || !*cfg->stripe_key)) {
		fprintf(err, "CURBSIDE_STRIPE_KEY: required when CURBSIDE_PAYMENTS=stripe\n");
		bad = 1;
	}
	if (strncmp(cfg->stripe_url, "http://", 7) && strncmp(cfg->stripe_url, "https://", 8)) {
		fprintf(err, "CURBSIDE_STRIPE_URL: must start with http:// or https://\n");
		bad = 1;
	}
	return bad;
}

static int check_oidc(const struct config *cfg, FILE *err)
{
	int bad = 0;
	bool https = !strncmp(cfg->oidc_issuer, "https://", 8);

	if (!https && (cfg->production || strncmp(cfg->oidc_issuer, "http://", 7))) {
		fprintf(err, "CURBSIDE_OIDC_ISSUER: must be an https:// URL (http:// only in "
		             "development)\n");
		bad = 1;
	}
	if (*cfg->oidc_client_id && !*cfg->oidc_client_secret) {
		fprintf(err,
		        "CURBSIDE_OIDC_CLIENT_SECRET: required when CURBSIDE_OIDC_CLIENT_ID is "
		        "set\n");
		bad = 1;
	}
	return bad;
}

static int check_sms(const struct config *cfg, FILE *err)
{
	int bad = 0;
	bool https = !strncmp(cfg->sms_url, "https://", 8);

	if (!*cfg->sms_url)
		return 0;
	if (!https && (cfg->production || strncmp(cfg->sms_url, "http://", 7))) {
		fprintf(err, "CURBSIDE_SMS_URL: must be an https:// URL (http:// only in "
		             "development)\n");
		bad = 1;
	}
	if (!*cfg->sms_account || !*cfg->sms_token) {
		fprintf(err, "CURBSIDE_SMS_ACCOUNT, CURBSIDE_SMS_TOKEN: required with "
		             "CURBSIDE_SMS_URL\n");
		bad = 1;
	}
	if (!phone_valid(cfg->sms_from, strlen(cfg->sms_from))) {
		fprintf(err, "CURBSIDE_SMS_FROM: the sending number in E.164 form (+15555550123), "
		             "required with CURBSIDE_SMS_URL\n");
		bad = 1;
	}
	return bad;
}

static int check_consistency(const struct config *cfg, FILE *err)
{
	int bad = 0;

	if (cfg->jwt_secret && strlen(cfg->jwt_secret) < 32) {
		fprintf(err, "CURBSIDE_JWT_SECRET: must be at least 32 bytes\n");
		bad = 1;
	}
	if (cfg->jwt_previous_secret && *cfg->jwt_previous_secret &&
	    strlen(cfg->jwt_previous_secret) < 32) {
		fprintf(err, "CURBSIDE_JWT_PREVIOUS_SECRET: must be at least 32 bytes\n");
		bad = 1;
	}
	if (cfg->webhook_signing_key && strlen(cfg->webhook_signing_key) < 32) {
		fprintf(err, "CURBSIDE_WEBHOOK_SIGNING_KEY: must be at least 32 bytes\n");
		bad = 1;
	}
	if (!cfg->operator_token || !*cfg->operator_token) {
		fprintf(err, "CURBSIDE_OPERATOR_TOKEN: must not be empty\n");
		bad = 1;
	}
	if (strcmp(cfg->log_level, "error") && strcmp(cfg->log_level, "warning") &&
	    strcmp(cfg->log_level, "info") && strcmp(cfg->log_level, "debug")) {
		fprintf(err, "CURBSIDE_LOG_LEVEL: one of error, warning, info, debug\n");
		bad = 1;
	}
	return bad | check_mail(cfg, err) | check_payments(cfg, err) | check_oidc(cfg, err) |
	       check_sms(cfg, err);
}

static void apply_derived_defaults(struct config *cfg)
{
	if (cfg->db_pool == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->db_pool = (int)(cores > 0 ? (cores > 32 ? 128 : cores * 4) : 8);
	}
	if (cfg->db_read_pool == 0)
		cfg->db_read_pool = cfg->db_pool;
	/* Production texts customers only through an SMS API, or into files on purpose. */
	cfg->sms_enabled = *cfg->sms_url || !cfg->production ||
	                   (getenv("CURBSIDE_SMS_DIR") && *getenv("CURBSIDE_SMS_DIR"));
	/* Production never lets a hauler's URL reach the server's own network. */
	if (cfg->production)
		cfg->webhook_allow_private = false;
}

int config_load(struct config *cfg, FILE *err)
{
	int bad = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < sizeof(config_vars) / sizeof(config_vars[0]); i++) {
		const struct config_var *var = &config_vars[i];
		const char *v = getenv(var->name);
		if (!v || !*v)
			v = var->fallback;
		if (!v)
			continue;
		if (apply_var(cfg, var, v) != 0) {
			fprintf(err, "%s: invalid value (%s)\n", var->name, var->help);
			bad = 1;
		}
	}
	/* Removed when each connection got its own thread; a deployment may still set it. */
	if (getenv("CURBSIDE_THREADS"))
		fprintf(err, "CURBSIDE_THREADS is no longer used (one thread per connection, up to "
		             "CURBSIDE_MAX_CONNECTIONS)\n");
	if (!bad) {
		apply_derived_defaults(cfg);
		bad = check_consistency(cfg, err) | check_production(cfg, err);
	}
	if (bad) {
		config_release(cfg);
		return CS_EINVALID;
	}
	return CS_OK;
}

void config_release(struct config *cfg)
{
	for (size_t i = 0; i < sizeof(config_vars) / sizeof(config_vars[0]); i++) {
		if (config_vars[i].kind == KIND_STRING)
			free(*(char **)((char *)cfg + config_vars[i].offset));
	}
	free(cfg->listen_host);
	memset(cfg, 0, sizeof(*cfg));
}

void config_print_help(FILE *out)
{
	fprintf(out, "Environment variables (default in brackets):\n");
	for (size_t i = 0; i < sizeof(config_vars) / sizeof(config_vars[0]); i++) {
		const struct config_var *var = &config_vars[i];
		const char *shown = var->fallback;
		if (var->offset == AT(jwt_secret) || var->offset == AT(operator_token) ||
		    var->offset == AT(webhook_signing_key))
			shown = "development value";
		fprintf(out, "  %-33s %s [%s]\n", var->name, var->help, shown ? shown : "unset");
	}
}
