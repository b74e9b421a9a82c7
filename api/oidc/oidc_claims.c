#include "oidc/oidc_claims.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/hash.h"
#include "core/strbuf.h"

/* Google's tokens may name the issuer without the scheme (its documentation says so). */
#define GOOGLE_ISSUER      "https://accounts.google.com"
#define GOOGLE_ISSUER_BARE "accounts.google.com"

const char *oidc_verdict_name(enum oidc_verdict v)
{
	switch (v) {
	case OIDC_OK:
		return "ok";
	case OIDC_MALFORMED:
		return "malformed";
	case OIDC_BAD_ISSUER:
		return "bad_issuer";
	case OIDC_BAD_AUDIENCE:
		return "bad_audience";
	case OIDC_EXPIRED:
		return "expired";
	case OIDC_FUTURE:
		return "issued_in_future";
	case OIDC_BAD_NONCE:
		return "bad_nonce";
	case OIDC_NO_SUBJECT:
		return "no_subject";
	case OIDC_NO_EMAIL:
		return "no_email";
	case OIDC_EMAIL_UNVERIFIED:
		return "email_unverified";
	case OIDC_BAD_ALGORITHM:
		return "bad_algorithm";
	case OIDC_UNKNOWN_KEY:
		return "unknown_key";
	case OIDC_BAD_SIGNATURE:
		return "bad_signature";
	case OIDC_USERINFO_SUBJECT:
		return "userinfo_subject_mismatch";
	}
	return "unknown";
}

/* Decode segment `index` (0: header, 1: payload) of compact JWT `id_token` as a JSON object. */
static int token_segment(json_t **out, const char *id_token, int index)
{
	size_t len = id_token ? strnlen(id_token, OIDC_ID_TOKEN_MAX + 1) : 0;
	const char *dot1, *dot2;
	unsigned char *raw = NULL;
	size_t raw_len = 0;
	int rc = CS_EINVALID;

	*out = NULL;
	if (len == 0 || len > OIDC_ID_TOKEN_MAX)
		return CS_EINVALID;
	if (!(dot1 = strchr(id_token, '.')) || !(dot2 = strchr(dot1 + 1, '.')) ||
	    strchr(dot2 + 1, '.'))
		return CS_EINVALID;
	const char *seg = index == 0 ? id_token : dot1 + 1;
	size_t seg_len = (size_t)(index == 0 ? dot1 - id_token : dot2 - dot1 - 1);
	if (!(raw = malloc(seg_len + 1)))
		return CS_ENOMEM;
	if (b64url_decode(raw, seg_len + 1, &raw_len, seg, seg_len) != CS_OK)
		goto out;
	json_t *doc = json_loadb((const char *)raw, raw_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		goto out;
	}
	*out = doc;
	rc = CS_OK;
out:
	free(raw);
	return rc;
}

int oidc_id_token_payload(json_t **out, const char *id_token)
{
	return token_segment(out, id_token, 1);
}

int oidc_id_token_header(json_t **out, const char *id_token)
{
	return token_segment(out, id_token, 0);
}

bool oidc_issuer_matches(const char *iss, const char *expected)
{
	if (!iss)
		return false;
	if (!strcmp(iss, expected))
		return true;
	return !strcmp(expected, GOOGLE_ISSUER) && !strcmp(iss, GOOGLE_ISSUER_BARE);
}

/* aud is our client id, or an array naming it; with several audiences azp must be us. */
static bool audience_matches(const json_t *claims, const char *client_id)
{
	const json_t *aud = json_object_get(claims, "aud");
	const char *azp = json_string_value(json_object_get(claims, "azp"));
	bool named = false;
	size_t i;
	json_t *item;

	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), client_id) &&
		       (!azp || !strcmp(azp, client_id));
	if (!json_is_array(aud) || json_array_size(aud) == 0)
		return false;
	json_array_foreach(aud, i, item)
	{
		if (!json_is_string(item))
			return false;
		named = named || !strcmp(json_string_value(item), client_id);
	}
	if (!named)
		return false;
	if (json_array_size(aud) > 1)
		return azp && !strcmp(azp, client_id);
	return !azp || !strcmp(azp, client_id);
}

/* A NumericDate claim (seconds since the epoch); false when absent or not a number. */
static bool numeric_date(json_int_t *out, const json_t *claims, const char *name)
{
	const json_t *v = json_object_get(claims, name);

	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_real(v))
		*out = (json_int_t)json_real_value(v);
	else
		return false;
	return true;
}

/* email_verified is a boolean; some providers send the string "true". */
static bool email_verified(const json_t *claims)
{
	const json_t *v = json_object_get(claims, "email_verified");

	return json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true"));
}

static enum oidc_verdict check_times(const json_t *claims, time_t now)
{
	json_int_t exp = 0, iat = 0;

	if (!numeric_date(&exp, claims, "exp") || !numeric_date(&iat, claims, "iat"))
		return OIDC_MALFORMED;
	if (exp + OIDC_CLOCK_SKEW <= (json_int_t)now)
		return OIDC_EXPIRED;
	if (iat > (json_int_t)now + OIDC_CLOCK_SKEW)
		return OIDC_FUTURE;
	return OIDC_OK;
}

/* A display name, when usable; an unusable one is dropped, not refused. */
static void take_name(struct oidc_identity *who, const json_t *claims)
{
	const char *name = json_string_value(json_object_get(claims, "name"));

	if (name && strlen(name) <= OIDC_NAME_MAX && validate_plain_text(name, false))
		snprintf(who->name, sizeof(who->name), "%s", name);
}

static enum oidc_verdict take_subject(struct oidc_identity *who, const json_t *claims)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));

	if (!sub || !*sub || strlen(sub) > OIDC_SUBJECT_MAX || !validate_plain_text(sub, false))
		return OIDC_NO_SUBJECT;
	snprintf(who->subject, sizeof(who->subject), "%s", sub);
	return OIDC_OK;
}

bool oidc_claims_have_email(const json_t *claims)
{
	return json_object_get(claims, "email") != NULL;
}

enum oidc_verdict oidc_email_claims(struct oidc_identity *who, const json_t *claims)
{
	const char *email = json_string_value(json_object_get(claims, "email"));
	const char *reason = NULL;

	who->email[0] = '\0';
	if (!email || !validate_email(email, who->email, &reason)) {
		who->email[0] = '\0';
		return OIDC_NO_EMAIL;
	}
	return email_verified(claims) ? OIDC_OK : OIDC_EMAIL_UNVERIFIED;
}

enum oidc_verdict oidc_userinfo_claims(struct oidc_identity *who, const json_t *userinfo)
{
	const char *sub = json_string_value(json_object_get(userinfo, "sub"));

	if (!sub || !who->subject[0] || strcmp(sub, who->subject))
		return OIDC_USERINFO_SUBJECT;
	if (!who->name[0])
		take_name(who, userinfo);
	return oidc_email_claims(who, userinfo);
}

enum oidc_verdict oidc_claims_check(struct oidc_identity *who, const json_t *claims,
                                    const struct oidc_expect *expect)
{
	const char *nonce = json_string_value(json_object_get(claims, "nonce"));
	enum oidc_verdict v;

	memset(who, 0, sizeof(*who));
	if (!json_is_object(claims))
		return OIDC_MALFORMED;
	if (!oidc_issuer_matches(json_string_value(json_object_get(claims, "iss")), expect->issuer))
		return OIDC_BAD_ISSUER;
	if (!audience_matches(claims, expect->client_id))
		return OIDC_BAD_AUDIENCE;
	if ((v = check_times(claims, expect->now)) != OIDC_OK)
		return v;
	if (!nonce || !expect->nonce ||
	    !hash_equal_ct(nonce, strlen(nonce), expect->nonce, strlen(expect->nonce)))
		return OIDC_BAD_NONCE;
	if ((v = take_subject(who, claims)) != OIDC_OK)
		return v;
	take_name(who, claims);
	return OIDC_OK;
}

int oidc_pkce_challenge(char out[OIDC_CHALLENGE_SIZE], const char *verifier)
{
	unsigned char digest[32];

	out[0] = '\0';
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, verifier, strlen(verifier), digest) != 0)
		return CS_EINTERNAL;
	b64url_encode(out, digest, sizeof(digest));
	return CS_OK;
}

/* Append `s` percent-encoded (RFC 3986: everything but the unreserved characters). */
static void append_encoded(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			strbuf_append(b, (const char *)&c, 1);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			strbuf_append(b, esc, 3);
		}
	}
}

static void append_param(struct strbuf *b, const char *name, const char *value)
{
	strbuf_printf(b, "&%s=", name);
	append_encoded(b, value);
}

int oidc_authorization_url(char **out, const struct oidc_authorize *req)
{
	struct strbuf b = STRBUF_INIT;

	strbuf_printf(&b, "%s%sresponse_type=code", req->endpoint,
	              strchr(req->endpoint, '?') ? "&" : "?");
	append_param(&b, "client_id", req->client_id);
	append_param(&b, "redirect_uri", req->redirect_uri);
	append_param(&b, "scope", "openid email profile");
	append_param(&b, "state", req->state);
	append_param(&b, "nonce", req->nonce);
	append_param(&b, "code_challenge", req->challenge);
	append_param(&b, "code_challenge_method", "S256");
	if (req->login_hint && *req->login_hint)
		append_param(&b, "login_hint", req->login_hint);
	*out = strbuf_detach(&b, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}

/* The tenant's portal URL: `public_url` with "{tenant}" replaced, trailing slashes dropped. */
static char *tenant_base(const char *public_url, const char *slug)
{
	static const char marker[] = "{tenant}";
	struct strbuf b = STRBUF_INIT;
	const char *p = public_url, *hit;

	while ((hit = strstr(p, marker))) {
		strbuf_append(&b, p, (size_t)(hit - p));
		strbuf_append(&b, slug, strlen(slug));
		p = hit + sizeof(marker) - 1;
	}
	strbuf_append(&b, p, strlen(p));
	while (b.len > 0 && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return strbuf_detach(&b, NULL);
}

bool oidc_redirect_allowed(const char *public_url, const char *slug, const char *uri)
{
	char *base;
	bool ok = false;

	if (!public_url || !slug || !*slug || !uri || !validate_slug(slug))
		return false;
	for (const char *p = uri; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 127 || *p == '#' || *p == '\\')
			return false;
	if (!(base = tenant_base(public_url, slug)))
		return false;
	size_t n = strlen(base);
	if (n > 0 && !strncmp(uri, base, n))
		ok = uri[n] == '\0' || uri[n] == '/' || uri[n] == '?';
	free(base);
	return ok;
}
