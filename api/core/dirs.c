#include "core/dirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int dirs_make(const char *path)
{
	char *copy = strdup(path);
	int rc = CS_OK;

	if (!copy)
		return CS_ENOMEM;
	for (char *p = copy + 1; rc == CS_OK; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0750) != 0 && errno != EEXIST)
			rc = CS_EUNAVAILABLE;
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return rc;
}
