#include "core/stopping.h"

#include <stdatomic.h>

#include "core/error.h"

static atomic_bool abandoned;

void stopping_abandon(void)
{
	atomic_store(&abandoned, true);
}

bool stopping_abandoned(void)
{
	return atomic_load(&abandoned);
}

int stopping_refuse(void)
{
	cs_error_set(CS_EUNAVAILABLE, "server_stopping",
	             "The server is stopping. Please retry; another instance will answer.");
	cs_error_set_retry_after(1);
	return CS_EUNAVAILABLE;
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
