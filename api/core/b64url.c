#include "core/b64url.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_encoded_len(size_t len)
{
	return (len / 3) * 4 + ((len % 3) ? (len % 3) + 1 : 0);
}

void b64url_encode(char *out, const unsigned char *in, size_t len)
{
	size_t i = 0;
	char *o = out;

	for (; i + 3 <= len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
		*o++ = alphabet[v & 63];
	}
	if (len - i == 1) {
		unsigned v = (unsigned)in[i] << 16;
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
	} else if (len - i == 2) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = alphabet[(v >> 6) & 63];
	}
	*o = '\0';
}

static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int b64url_decode(unsigned char *out, size_t out_cap, size_t *out_len, const char *in,
                  size_t in_len)
{
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;

	if (in_len % 4 == 1)
		return CS_EINVALID;
	for (size_t i = 0; i < in_len; i++) {
		int s = sextet(in[i]);
		if (s < 0)
			return CS_EINVALID;
		acc = (acc << 6) | (unsigned)s;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= out_cap)
				return CS_EINVALID;
			out[n++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	*out_len = n;
	return CS_OK;
}
