/*
 * Project error codes and the thread's last error.
 *
 * Fallible functions return 0 or a negative CS_E* code. A function that fails for a reason the
 * client must see (a stable problem `code` and a sentence) records it with cs_error_set(); the HTTP
 * layer turns the pair into a problem response. One request runs on one thread at a time, so the
 * last error is thread-local, as in libgit2.
 */
#ifndef CURBSIDE_CORE_ERROR_H
#define CURBSIDE_CORE_ERROR_H

#include <stdbool.h>

#define CS_MUST_CHECK __attribute__((warn_unused_result))

enum cs_status {
	CS_OK = 0,
	CS_ENOTFOUND = -1,     /* 404 */
	CS_EINVALID = -2,      /* 422 (or 400 for malformed input) */
	CS_ECONFLICT = -3,     /* 409 */
	CS_EFORBIDDEN = -4,    /* 403 */
	CS_EDB = -5,           /* 500: database error */
	CS_ENOMEM = -6,        /* 500 */
	CS_EUNAVAILABLE = -7,  /* 503: database unreachable or pool exhausted */
	CS_EUNAUTHORIZED = -8, /* 401 */
	CS_ETHROTTLED = -9,    /* 429 */
	CS_EBUSY = -10,        /* 503: a bounded queue is full */
	CS_EGONE = -11,        /* 410 */
	CS_EINTERNAL = -12,    /* 500: a bug or an impossible state */
	CS_EDECLINED = -13,    /* 402: the payment processor declined the charge */
	CS_EUPSTREAM =
	        -14, /* 502: an outside service (processor, OIDC provider) failed or timed out */
};

/* The detail of the thread's last error. `code` and `detail` point into thread-local storage. */
struct cs_error {
	int status;         /* the CS_E* value */
	const char *code;   /* stable snake_case problem code, or NULL for the default */
	const char *detail; /* a sentence for a person, or NULL for the default */
	int retry_after;    /* seconds for 429/503, or 0 */
	const char *field;  /* for 422: the request field at fault, or NULL */
};

/* Record the last error; `code` must be a string literal. Returns `status` for `return
 * cs_error_set(...)`. */
int cs_error_set(int status, const char *code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * Record the last error from text that does not outlive the call (e.g. a database message): code,
 * field (may be NULL or "") and detail are copied into thread-local storage.
 */
int cs_error_set_copy(int status, const char *code, const char *field, const char *detail);

/* Record a Retry-After hint (seconds) on the last error. */
void cs_error_set_retry_after(int seconds);

/* Name the request field at fault on the last error (422s answer it in `errors`). */
void cs_error_set_field(const char *field);

/* The last error of this thread (never NULL; status 0 when none was set). */
const struct cs_error *cs_error_last(void);

/* A copy of the thread's last error, to keep a request's problem across bookkeeping after it. */
struct cs_error_saved {
	int status, retry_after;
	bool has_code, has_field, has_detail;
	char code[64], field[128], detail[512];
};

/* Copy the last error into `out`. */
void cs_error_save(struct cs_error_saved *out);

/* Make `saved` the last error again. */
void cs_error_restore(const struct cs_error_saved *saved);

/* Forget the last error (at the start of every request). */
void cs_error_clear(void);

/* The default problem code of a CS_E* value ("not_found", "internal_error", ...). */
const char *cs_status_code(int status);

#endif
