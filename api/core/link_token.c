#include "core/link_token.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/strbuf.h"

int link_token_derive(char out[LINK_TOKEN_SIZE], const void *key, size_t key_len,
                      const char *purpose, const char *id, const char *nonce)
{
	unsigned char mac[32];
	char *message = NULL;
	int rc = CS_OK;

	out[0] = '\0';
	if (!key || key_len == 0 || !purpose || !id || !nonce)
		return CS_EINVALID;
	if (asprintf(&message, "%s:%s:%s", purpose, id, nonce) < 0)
		return CS_ENOMEM;
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, message, strlen(message), mac) != 0)
		rc = CS_EINTERNAL;
	else
		b64url_encode(out, mac, sizeof(mac));
	free(message);
	return rc;
}

/* True when `s` is non-empty and only unreserved URL characters (and '/' where `slash_ok`). */
static bool segment_chars_ok(const char *s, bool slash_ok)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' ||
		          (slash_ok && c == '/');
		if (!ok)
			return false;
	}
	return true;
}

int link_token_url(char **out, const char *public_url, const char *slug, const char *path,
                   const char *token)
{
	static const char marker[] = "{tenant}";
	struct strbuf buf = STRBUF_INIT;
	const char *p = public_url, *hit;

	*out = NULL;
	if (!segment_chars_ok(path, true) || path[0] == '/' || !segment_chars_ok(token, false) ||
	    !segment_chars_ok(slug, false))
		return CS_EINVALID;
	while ((hit = strstr(p, marker))) {
		strbuf_append(&buf, p, (size_t)(hit - p));
		strbuf_append(&buf, slug, strlen(slug));
		p = hit + sizeof(marker) - 1;
	}
	strbuf_append(&buf, p, strlen(p));
	/* A base URL written with a trailing slash must not give "//invitations". */
	while (buf.len > 0 && buf.data[buf.len - 1] == '/')
		buf.data[--buf.len] = '\0';
	strbuf_printf(&buf, "/%s/%s", path, token);
	*out = strbuf_detach(&buf, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}
