/*
 * Password hashing with argon2id (OWASP parameters: m=19456 KiB, t=2, p=1).
 *
 * Each hash costs ~20 MiB and tens of milliseconds of one core, so hashing runs behind a gate:
 * at most `slots` at once (sized to the cores) and at most `queue` callers waiting; past that the
 * caller gets CS_EBUSY at once (503) rather than stalling the HTTP threads.
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
 * CS_EBUSY when the gate is full.
 */
int password_verify(bool *match, const char *encoded, const char *password) CS_MUST_CHECK;

/* How many new passwords password_hash has hashed since start (the /metrics counter that shows a
 * wrong link token costs no hash). */
unsigned long password_hash_count(void);

/* Parameters (exposed for tests). */
#define PASSWORD_T_COST      2
#define PASSWORD_M_COST      19456
#define PASSWORD_PARALLELISM 1

#endif
