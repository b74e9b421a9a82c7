/*
 * The server's `now` for rules that depend on the date: the real time, or in development and test
 * an instant read from the file CURBSIDE_CLOCK_FILE names (refused at start in production). The
 * file is read on every call, so a test moves time by rewriting it; a missing or empty file means
 * the real time. Every autopay decision (what is due, the retry day, the preview) and every date
 * rule of service requests takes this instant as a parameter.
 */
#ifndef CURBSIDE_CORE_CLOCK_H
#define CURBSIDE_CORE_CLOCK_H

#include <stddef.h>

#include "core/error.h"

/* Room for an RFC 3339 instant. */
#define CLOCK_TEXT_SIZE 64

/*
 * Write the current instant as RFC 3339 text into `out` (CLOCK_TEXT_SIZE bytes): the override
 * of `clock_file` when it names a file with an instant in it, else the real time in UTC.
 * CS_EINVALID when the file holds something that is not an instant's characters.
 */
int clock_now_text(char out[CLOCK_TEXT_SIZE], const char *clock_file) CS_MUST_CHECK;

#endif
