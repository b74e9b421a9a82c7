#include "core/request_id.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/b64url.h"
#include "core/random.h"

bool request_id_is_sane(const char *id)
{
	size_t len = 0;

	if (!id)
		return false;
	for (; id[len]; len++) {
		unsigned char c = (unsigned char)id[len];
		if (len >= REQUEST_ID_MAX || !(isalnum(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return len > 0;
}

/*
 * 16 random bytes for an id, taken from a per-thread stock refilled 16 ids at a time: one
 * getrandom() per request was a system call on every answer, /healthz's included.
 */
static int next_random_16(unsigned char raw[16])
{
	static _Thread_local unsigned char stock[256];
	static _Thread_local size_t left;

	if (left < 16) {
		if (random_bytes(stock, sizeof(stock)) != CS_OK)
			return CS_EINTERNAL;
		left = sizeof(stock);
	}
	left -= 16;
	memcpy(raw, stock + left, 16);
	memset(stock + left, 0, 16);
	return CS_OK;
}

void request_id_generate(char out[REQUEST_ID_SIZE])
{
	unsigned char raw[16];

	if (next_random_16(raw) != CS_OK) {
		/* Ids need uniqueness, not secrecy: fall back to time and a counter. */
		static atomic_ulong counter;
		snprintf(out, REQUEST_ID_SIZE, "t%lx-%lx", (unsigned long)time(NULL),
		         atomic_fetch_add(&counter, 1));
		return;
	}
	b64url_encode(out, raw, sizeof(raw));
}
