#include "core/hash.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

int hash_sha256_hex(char out[HASH_SHA256_HEX_SIZE], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) != 0)
		return CS_EINTERNAL;
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
	return CS_OK;
}

bool hash_equal_ct(const void *a, size_t a_len, const void *b, size_t b_len)
{
	const unsigned char *x = a, *y = b;
	unsigned char diff = (unsigned char)(a_len != b_len);
	size_t n = a_len < b_len ? a_len : b_len;

	/* Compare over the shorter length but always touch every byte of it. */
	for (size_t i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

int hash_hmac_sha256(unsigned char out[HASH_SHA256_SIZE], const void *key, size_t key_len,
                     const void *data, size_t len)
{
	return gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, data, len, out) == 0
	               ? CS_OK
	               : CS_EINTERNAL;
}
