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

void request_id_generate(char out[REQUEST_ID_SIZE])
{
	unsigned char raw[16];

	if (random_bytes(raw, sizeof(raw)) != CS_OK) {
		/* Ids need uniqueness, not secrecy: fall back to time and a counter. */
		static atomic_ulong counter;
		snprintf(out, REQUEST_ID_SIZE, "t%lx-%lx", (unsigned long)time(NULL),
		         atomic_fetch_add(&counter, 1));
		return;
	}
	b64url_encode(out, raw, sizeof(raw));
}
