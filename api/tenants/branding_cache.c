#include "tenants/branding_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 1024

struct entry {
	char slug[64];
	char *json;
	time_t expires;
};

static struct {
	pthread_mutex_t lock;
	int ttl;
	struct entry slots[SLOTS];
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct entry *slot_of(const char *slug)
{
	uint32_t h = 2166136261u;

	for (; *slug; slug++)
		h = (h ^ (unsigned char)*slug) * 16777619u;
	return &cache.slots[h % SLOTS];
}

void branding_cache_configure(int seconds)
{
	cache.ttl = seconds;
}

char *branding_cache_get(const char *slug, time_t now)
{
	char *copy = NULL;

	if (cache.ttl <= 0 || strlen(slug) >= sizeof(cache.slots[0].slug))
		return NULL;
	pthread_mutex_lock(&cache.lock);
	struct entry *e = slot_of(slug);
	if (e->json && e->expires > now && strcmp(e->slug, slug) == 0)
		copy = strdup(e->json);
	pthread_mutex_unlock(&cache.lock);
	return copy;
}

void branding_cache_put(const char *slug, const char *json, time_t now)
{
	if (cache.ttl <= 0 || strlen(slug) >= sizeof(cache.slots[0].slug))
		return;
	char *copy = strdup(json);
	if (!copy)
		return;
	pthread_mutex_lock(&cache.lock);
	struct entry *e = slot_of(slug);
	free(e->json);
	strcpy(e->slug, slug);
	e->json = copy;
	e->expires = now + cache.ttl;
	pthread_mutex_unlock(&cache.lock);
}

void branding_cache_clear(void)
{
	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < SLOTS; i++) {
		free(cache.slots[i].json);
		cache.slots[i].json = NULL;
	}
	pthread_mutex_unlock(&cache.lock);
}

void branding_cache_release(void)
{
	branding_cache_clear();
}
