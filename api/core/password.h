/*
 * Password hashing with argon2id (OWASP parameters: m=19456 KiB, t=2, p=1).
 *
 * Each hash costs ~20 MiB and tens of milliseconds of one core, so hashing runs behind a gate:
 * at most `slots` at once (sized to the cores) and at most `queue` callers waiting; past that the
 * caller gets CS_EBUSY at once (503) rather than stalling the HTTP threads. Sign-ins keep a share
 * of the gate that other hashing (sign-ups, resets, password changes) cannot take: other hashing
 * runs in at most `slots - slots / 2` slots, queues in at most `queue / 2` places, and yields
 * to sign-ins waiting (see docs/decisions.md, issue 16).
 */
#ifndef CURBSIDE_CORE_PASSWORD_H
#define CURBSIDE_CORE_PASSWORD_H

#include <stdbool.h>

#include "core/error.h"

#define PASSWORD_HASH_SIZE 128 /* an encoded argon2id hash fits, with its NUL */

/* Set up the gate. Call once before any other function here. */
int password_gate_init(int slots, int queue) CS_MUST_CHECK;

/* Hash `password` with a fresh salt into `out` (PHC string). CS_EBUSY when the gate is full. */
int password_hash(char out[PASSWORD_HASH_SIZE], const char *password) CS_MUST_CHECK;

/*
 * Check `password` against `encoded`; `*match` tells the answer. With `encoded` NULL a dummy hash
 * is checked instead, so an unknown account costs the same time as a wrong password.
 * CS_EBUSY when the gate's share for this use is full. password_verify is for other uses than
 * signing in (a password change); password_verify_login for sign-ins, in their share.
 */
int password_verify(bool *match, const char *encoded, const char *password) CS_MUST_CHECK;
int password_verify_login(bool *match, const char *encoded, const char *password) CS_MUST_CHECK;

/* What a hash is for: sign-ins have a share of the gate of their own. */
enum password_use { PASSWORD_FOR_LOGIN, PASSWORD_FOR_OTHER, PASSWORD_USES };

/* The gate's state, as the admission rule reads it. */
struct password_gate_counts {
	int slots, queue;           /* the gate's size */
	int active[PASSWORD_USES];  /* hashing now, by use */
	int waiting[PASSWORD_USES]; /* queued, by use */
};

enum password_admission { PASSWORD_ENTER, PASSWORD_WAIT, PASSWORD_REFUSE };

/* Whether a caller for `use` may hash now, must wait, or is refused (pure: unit-tested). */
enum password_admission password_gate_admit(const struct password_gate_counts *c,
                                            enum password_use use);

/* Counters since start, by use (for /metrics): argon2 runs and callers refused as busy. */
struct password_stats {
	unsigned long hashes[PASSWORD_USES];
	unsigned long busy[PASSWORD_USES];
};

/* Copy the counters into `out`. */
void password_stats_read(struct password_stats *out);

/* Parameters (exposed for tests). */
#define PASSWORD_T_COST      2
#define PASSWORD_M_COST      19456
#define PASSWORD_PARALLELISM 1

#endif
