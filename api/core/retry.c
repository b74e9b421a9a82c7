#include "core/retry.h"

/* No wait grows past this: a long outage is retried every six hours. */
#define RETRY_CAP_SECONDS (6 * 3600)

int retry_delay(int attempt, int base_seconds)
{
	long delay = base_seconds;

	for (int i = 1; i < attempt && delay < RETRY_CAP_SECONDS; i++)
		delay *= 4;
	return delay < RETRY_CAP_SECONDS ? (int)delay : RETRY_CAP_SECONDS;
}
