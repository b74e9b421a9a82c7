/*
 * The scheduler's `now`: the real time, or in development and test an instant read from the file
 * CURBSIDE_CLOCK_FILE names (refused at start in production). The file is read on every call, so
 * a test moves time by rewriting it; a missing or empty file means the real time. Every autopay
 * decision (what is due, the retry day, the preview) takes this instant as a parameter.
 */
#ifndef CURBSIDE_AUTOPAY_CLOCK_H
#define CURBSIDE_AUTOPAY_CLOCK_H

#include <stddef.h>

#include "core/error.h"

/* Room for an RFC 3339 instant. */
#define AUTOPAY_CLOCK_SIZE 64

/*
 * Write the current instant as RFC 3339 text into `out` (AUTOPAY_CLOCK_SIZE bytes): the override
 * of `clock_file` when it names a file with an instant in it, else the real time in UTC.
 * CS_EINVALID when the file holds something that is not an instant's characters.
 */
int autopay_clock_now(char out[AUTOPAY_CLOCK_SIZE], const char *clock_file) CS_MUST_CHECK;

#endif
