#include "core/link_token.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
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

int link_token_url(char **out, const char *public_url, const char *slug, const char *path,
                   const char *token)
{
	static const char marker[] = "{tenant}";
	struct strbuf buf = STRBUF_INIT;
	const char *p = public_url, *hit;

	*out = NULL;
	while ((hit = strstr(p, marker))) {
		strbuf_append(&buf, p, (size_t)(hit - p));
		strbuf_append(&buf, slug, strlen(slug));
		p = hit + sizeof(marker) - 1;
	}
	/* A base URL written with a trailing slash must not give "//invitations". */
	size_t rest = strlen(p);
	if (rest && p[rest - 1] == '/')
		rest--;
	strbuf_append(&buf, p, rest);
	strbuf_printf(&buf, "/%s/%s", path, token);
	*out = strbuf_detach(&buf, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}
