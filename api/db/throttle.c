#include "db/throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "db/query.h"

struct throttle {
	struct db_pool *db;
	const char *name;
	char max_failures[16];
	char window[16];
};

static struct db_stmt reserve_stmt =
        DB_STMT("throttle_reserve", "SELECT throttle_reserve($1, $2::int, $3::int)");
static struct db_stmt finish_stmt =
        DB_STMT("throttle_finish", "SELECT throttle_finish($1, $2, $3::int)");

struct throttle *throttle_new(struct db_pool *db, const char *name, int max_failures,
                              int window_seconds)
{
	struct throttle *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->db = db;
	t->name = name;
	snprintf(t->max_failures, sizeof(t->max_failures), "%d", max_failures);
	snprintf(t->window, sizeof(t->window), "%d", window_seconds);
	return t;
}

void throttle_free(struct throttle *t)
{
	free(t);
}

/* The row's key: a hash of the throttle's name and the key, so no email or address is stored. */
static int row_key(char out[HASH_SHA256_HEX_SIZE], const struct throttle *t, const char *key)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "%s|%s", t->name, key);

	if (n < 0 || (size_t)n >= sizeof(text))
		return cs_error_set(CS_EINVALID, "invalid_request", "The request is too long.");
	return hash_sha256_hex(out, text, (size_t)n);
}

int throttle_reserve(int *wait, struct throttle *t, const char *key)
{
	char hashed[HASH_SHA256_HEX_SIZE], *answer = NULL;
	int rc;

	*wait = 0;
	if ((rc = row_key(hashed, t, key)) != CS_OK)
		return rc;
	const char *params[] = {hashed, t->max_failures, t->window};
	if ((rc = db_query_text(&answer, t->db, &reserve_stmt, DB_PARAMS(params))) != CS_OK)
		return rc;
	*wait = answer ? atoi(answer) : 0;
	free(answer);
	return CS_OK;
}

void throttle_finish(struct throttle *t, const char *key, enum throttle_outcome outcome)
{
	static const char *const outcomes[] = {
	        [THROTTLE_FAILED] = "failed",
	        [THROTTLE_NEUTRAL] = "neutral",
	        [THROTTLE_SUCCEEDED] = "succeeded",
	};
	char hashed[HASH_SHA256_HEX_SIZE], *answer = NULL;
	struct cs_error_saved kept;

	if (row_key(hashed, t, key) != CS_OK)
		return;
	const char *params[] = {hashed, outcomes[outcome], t->window};
	cs_error_save(&kept);
	if (db_query_text(&answer, t->db, &finish_stmt, DB_PARAMS(params)) != CS_OK)
		cs_error_restore(&kept); /* the request's own outcome stands; see the header */
	free(answer);
}

int throttle_refuse(int seconds, const char *what)
{
	cs_error_set(CS_ETHROTTLED, "too_many_attempts", "Too many %s. Try again in %d seconds.",
	             what, seconds);
	cs_error_set_retry_after(seconds);
	return CS_ETHROTTLED;
}

int throttle_admit(struct throttle *t, const char *key, const char *what)
{
	int wait, rc = throttle_reserve(&wait, t, key);

	if (rc == CS_OK && wait > 0)
		rc = throttle_refuse(wait, what);
	return rc;
}

int throttle_pair_reserve(const struct throttle_pair *p)
{
	const char *what = "failed sign-in attempts";
	int rc = throttle_admit(p->by_account, p->account_key, what);

	if (rc == CS_OK && (rc = throttle_admit(p->by_address, p->address_key, what)) != CS_OK)
		throttle_finish(p->by_account, p->account_key, THROTTLE_NEUTRAL);
	return rc;
}

void throttle_pair_finish(const struct throttle_pair *p, enum throttle_outcome outcome)
{
	throttle_finish(p->by_account, p->account_key, outcome);
	/* The address keeps its failures after a success: one good login does not clear a spray. */
	throttle_finish(p->by_address, p->address_key,
	                outcome == THROTTLE_SUCCEEDED ? THROTTLE_NEUTRAL : outcome);
}
