#include "core/verified_tokens.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

/*
 * Set-associative like the credential cache (http/auth.c): a token may sit in any of the WAYS
 * slots of its set, and each set has its own lock, so the connection threads rarely wait on each
 * other. 512 sets of 4 hold a few thousand signed-in people in about 1.7 MiB, touched only as they
 * fill.
 */
#define SETS 512
#define WAYS 4

struct verified_slot {
	size_t len; /* 0: empty */
	char token[VERIFIED_TOKEN_MAX_LEN + 1];
	struct access_claims claims;
};

struct verified_set {
	pthread_mutex_t lock;
	struct verified_slot slots[WAYS];
};

static struct verified_set sets[SETS];
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

static void init_sets(void)
{
	for (int i = 0; i < SETS; i++)
		pthread_mutex_init(&sets[i].lock, NULL);
}

/* FNV-1a over the token picks the set; the set's slots are then compared in full. */
static struct verified_set *set_of(const char *token, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)token[i]) * 1099511628211ULL;
	pthread_once(&sets_once, init_sets);
	return &sets[h % SETS];
}

static struct verified_slot *slot_holding(struct verified_set *set, const char *token, size_t len)
{
	for (int w = 0; w < WAYS; w++)
		if (set->slots[w].len == len && memcmp(set->slots[w].token, token, len) == 0)
			return &set->slots[w];
	return NULL;
}

bool verified_tokens_lookup(struct access_claims *out, const char *token, time_t now)
{
	size_t len = strnlen(token, VERIFIED_TOKEN_MAX_LEN + 1);
	if (len == 0 || len > VERIFIED_TOKEN_MAX_LEN)
		return false;
	struct verified_set *set = set_of(token, len);
	bool hit = false;

	pthread_mutex_lock(&set->lock);
	struct verified_slot *s = slot_holding(set, token, len);
	if (s && s->claims.expires_at > now) {
		*out = s->claims;
		hit = true;
	}
	pthread_mutex_unlock(&set->lock);
	return hit;
}

void verified_tokens_store(const char *token, const struct access_claims *claims)
{
	size_t len = strnlen(token, VERIFIED_TOKEN_MAX_LEN + 1);
	if (len == 0 || len > VERIFIED_TOKEN_MAX_LEN)
		return;
	struct verified_set *set = set_of(token, len);

	pthread_mutex_lock(&set->lock);
	struct verified_slot *s = slot_holding(set, token, len);
	/* Else the slot that expires first: an empty one (expiry 0) or the token nearest its end.
	 */
	if (!s) {
		s = &set->slots[0];
		for (int w = 1; w < WAYS; w++)
			if (set->slots[w].claims.expires_at < s->claims.expires_at)
				s = &set->slots[w];
	}
	s->len = len;
	memcpy(s->token, token, len);
	s->token[len] = '\0';
	s->claims = *claims;
	pthread_mutex_unlock(&set->lock);
}

void verified_tokens_clear(void)
{
	for (int i = 0; i < SETS; i++) {
		struct verified_set *set = &sets[i];
		pthread_once(&sets_once, init_sets);
		pthread_mutex_lock(&set->lock);
		memset(set->slots, 0, sizeof(set->slots));
		pthread_mutex_unlock(&set->lock);
	}
}
