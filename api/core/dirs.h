/* Directories the development transports write into (the mailbox, the SMS directory). */
#ifndef CURBSIDE_CORE_DIRS_H
#define CURBSIDE_CORE_DIRS_H

#include "core/error.h"

/* mkdir -p: create every missing directory of `path` (mode 0750). CS_EUNAVAILABLE when one cannot
 * be created, CS_ENOMEM. */
int dirs_make(const char *path) CS_MUST_CHECK;

#endif
