#include "core/random.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/b64url.h"
#include "core/hash.h"

int random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return CS_EINTERNAL;
		}
		p += n;
		len -= (size_t)n;
	}
	return CS_OK;
}

int random_token(char out[RANDOM_TOKEN_SIZE])
{
	unsigned char raw[RANDOM_TOKEN_BYTES];
	int rc = random_bytes(raw, sizeof(raw));

	if (rc == CS_OK)
		b64url_encode(out, raw, sizeof(raw));
	return rc;
}

int random_uuid(char out[UUID_TEXT_SIZE])
{
	unsigned char b[16];
	int rc = random_bytes(b, sizeof(b));

	if (rc != CS_OK)
		return rc;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, UUID_TEXT_SIZE,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	         b[15]);
	return CS_OK;
}

int random_hashed_token(struct random_hashed_token *out)
{
	_Static_assert(sizeof(out->hash) == HASH_SHA256_HEX_SIZE, "hash size");
	int rc = random_token(out->token);

	return rc == CS_OK ? hash_sha256_hex(out->hash, out->token, strlen(out->token)) : rc;
}
