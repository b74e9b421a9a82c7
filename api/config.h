/*
 * Configuration: a declarative table of CURBSIDE_* environment variables, read and validated once
 * at start. `curbside serve --help` prints the table.
 */
#ifndef CURBSIDE_CONFIG_H
#define CURBSIDE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

/* The background workers a process may run (CURBSIDE_WORKERS). */
enum config_worker {
	CONFIG_WORKER_MAIL = 1 << 0,
	CONFIG_WORKER_JOBS = 1 << 1,
	CONFIG_WORKER_PAYMENTS = 1 << 2,
	CONFIG_WORKER_AUTOPAY = 1 << 3,
	CONFIG_WORKER_SMS = 1 << 4,
	CONFIG_WORKER_WEBHOOKS = 1 << 5,
	CONFIG_WORKERS_ALL = (1 << 6) - 1,
};

struct config {
	bool production;
	char *listen_host; /* numeric address, IPv4 or IPv6 */
	int listen_port;
	char *database_url;
	char *database_read_url; /* a standby for heavy portal reads; "" = off (db/read_route.h) */
	int db_read_pool;        /* its connections (0 until derived: db_pool) */
	int read_max_lag_ms;     /* a standby lagging more than this is skipped */
	int db_pool;
	int db_timeout_ms;
	char *jwt_secret;
	char *jwt_previous_secret;
	char *operator_token;
	char *cors_origins;    /* comma-separated */
	char *trusted_proxies; /* comma-separated addresses and networks; "" for none */
	long max_body_bytes;
	int idle_timeout;
	int max_connections;
	int max_connections_per_address;
	int read_timeout;
	int shutdown_seconds;
	bool migrate_on_start;
	char *log_level;
	bool access_log;
	int login_max_failures;
	int login_window_seconds;
	int link_max_failures;     /* failed link lookups per client address in the login window */
	int refresh_grace_seconds; /* a spent refresh token returns its successor this long */
	int branding_cache_seconds;
	char *public_url; /* portal SPA base URL; "{tenant}" is replaced by the tenant slug */
	char *api_url;    /* this API's public base URL (the logo's address) */
	char *smtp_url;   /* smtp:// or smtps:// (may carry user:password); "" = mailbox dir */
	char *mail_from;  /* envelope and From: address */
	char *mail_dir;   /* development mailbox: .eml files when there is no SMTP URL */
	int mail_poll_seconds;
	int mail_retry_seconds; /* first retry delay; later ones grow fourfold */
	unsigned workers;       /* CONFIG_WORKER_* bits: the background workers this process runs */
	char *payments;         /* the payment processor: "sandbox" or "stripe" */
	char *stripe_url;       /* base URL of the Stripe-compatible API */
	char *stripe_key;       /* its secret key (required when payments is stripe) */
	int stripe_connect_timeout_ms;
	int stripe_timeout_ms;     /* a whole request, connection included */
	int payments_poll_seconds; /* the payments worker looks at pending payments this often */
	int settle_wait_seconds;   /* a charge made waits this long for the database to record it */
	int sandbox_ach_settle_seconds; /* sandbox bank payments stay pending this long */
	int payment_declines_per_hour;  /* portal declines per user and per account (429 past it) */
	int payment_methods_per_hour;   /* new portal payment methods per user and per account */
	char *oidc_issuer;              /* OpenID Connect provider (Google by default) */
	char *oidc_client_id;           /* "" = sign-in with Google is off */
	char *oidc_client_secret;       /* required with a client id */
	int oidc_timeout_ms;            /* total time allowed for one call to the provider */
	int autopay_poll_seconds;       /* the autopay scheduler runs this often */
	int autopay_batch;              /* customers it claims per transaction */
	int autopay_lanes;              /* batches charged side by side, one connection each */
	char *clock_file;  /* development/test: an RFC 3339 instant overriding the autopay clock */
	char *sms_url;     /* Twilio-compatible API base; "" = texts go to sms_dir */
	char *sms_account; /* basic-auth user (the account SID) */
	char *sms_token;   /* basic-auth password; never logged */
	char *sms_from;    /* the sending number, E.164 */
	char *sms_dir;     /* development: one file per text when sms_url is "" */
	int sms_poll_seconds;
	int sms_retry_seconds;   /* first retry delay; later ones grow fourfold */
	int sms_timeout_ms;      /* a whole request to the SMS API */
	char *pdf_font_dir;      /* DejaVuSans.ttf and DejaVuSans-Bold.ttf */
	char *pdf_fallback_font; /* TrueType font for what DejaVu lacks; "" = none */
	bool sms_enabled;        /* derived: texts go somewhere on purpose (see config.c) */

	/* Webhooks (issue 26). */
	char *webhook_signing_key;      /* every endpoint's secret derives from it; never logged */
	bool webhook_allow_private;     /* may reach private addresses (never in production) */
	int webhook_connect_timeout_ms; /* connecting to an endpoint */
	int webhook_timeout_ms;         /* a whole delivery attempt */
	int webhook_poll_seconds;       /* the webhooks worker looks for due retries this often */
};

/* Read the environment into `cfg`. On failure prints every problem to `err` and returns
 * CS_EINVALID. */
int config_load(struct config *cfg, FILE *err) CS_MUST_CHECK;

/* Free the strings of `cfg` (NULL-safe fields). */
void config_release(struct config *cfg);

/* Print the table of variables with their defaults and meaning. */
void config_print_help(FILE *out);

/* The development defaults that production must never run with. */
#define CONFIG_DEV_JWT_SECRET     "development-only-jwt-secret-do-not-deploy-0123456789"
#define CONFIG_DEV_OPERATOR_TOKEN "dev-operator-token"

/* The development default of CURBSIDE_WEBHOOK_SIGNING_KEY, refused in production. */
#define CONFIG_DEV_WEBHOOK_SIGNING_KEY "development-only-webhook-signing-key-do-not-deploy-0123"

#endif
