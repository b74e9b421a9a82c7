#include "core/stopping.h"

#include <stdatomic.h>

static atomic_bool abandoned;

void stopping_abandon(void)
{
	atomic_store(&abandoned, true);
}

bool stopping_abandoned(void)
{
	return atomic_load(&abandoned);
}

static int abort_when_abandoned(void *unused, curl_off_t dltotal, curl_off_t dlnow,
                                curl_off_t ultotal, curl_off_t ulnow)
{
	(void)unused;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopping_abandoned() ? 1 : 0;
}

void stopping_watch_transfer(CURL *curl)
{
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_when_abandoned);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, NULL);
}
