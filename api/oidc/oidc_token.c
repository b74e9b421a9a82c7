#include "oidc/oidc_token.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/strbuf.h"
#include "oidc/oidc_http.h"

void oidc_tokens_release(struct oidc_tokens *t)
{
	if (!t)
		return;
	free(t->id_token);
	free(t->access_token);
	t->id_token = t->access_token = NULL;
}

static void form_param(struct strbuf *b, CURL *c, const char *name, const char *value)
{
	char *esc = curl_easy_escape(c, value, 0);

	if (!esc) {
		b->failed = 1;
		return;
	}
	strbuf_printf(b, "%s%s=%s", b->len ? "&" : "", name, esc);
	curl_free(esc);
}

/* The client's credentials for HTTP Basic: form-encoded first, as RFC 6749 2.3.1 asks. */
struct basic_credentials {
	char *user;
	char *secret;
};

static void basic_release(struct basic_credentials *b)
{
	curl_free(b->user);
	curl_free(b->secret);
}

/*
 * The exchange's form body; with client_secret_post it carries the client id and secret, with
 * client_secret_basic they go in `*basic` instead (a provider may refuse both at once).
 */
static int exchange_form(char **out, struct basic_credentials *basic, const struct oidc_settings *s,
                         enum oidc_client_auth auth, const char *code, const char *verifier,
                         const char *redirect_uri)
{
	struct strbuf b = STRBUF_INIT;
	CURL *c = curl_easy_init();

	*out = NULL;
	if (!c)
		return CS_ENOMEM;
	form_param(&b, c, "grant_type", "authorization_code");
	form_param(&b, c, "code", code);
	form_param(&b, c, "redirect_uri", redirect_uri);
	form_param(&b, c, "code_verifier", verifier);
	if (auth == OIDC_AUTH_POST) {
		form_param(&b, c, "client_id", s->client_id);
		form_param(&b, c, "client_secret", s->client_secret);
	} else {
		basic->user = curl_easy_escape(c, s->client_id, 0);
		basic->secret = curl_easy_escape(c, s->client_secret, 0);
		b.failed = b.failed || !basic->user || !basic->secret;
	}
	curl_easy_cleanup(c);
	*out = strbuf_detach(&b, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}

/* An OAuth error answer (RFC 6749 5.2): the provider refused this code. */
static int refused(const json_t *doc)
{
	const char *error = json_string_value(json_object_get(doc, "error"));
	char shown[41] = "unknown";

	/* Only a bounded code of safe characters reaches the client and the log. */
	if (error && strlen(error) < sizeof(shown) &&
	    strspn(error, "abcdefghijklmnopqrstuvwxyz_") == strlen(error))
		snprintf(shown, sizeof(shown), "%s", error);
	/* Our own credentials refused: configuration, not the person's sign-in. */
	if (!strcmp(shown, "invalid_client") || !strcmp(shown, "unauthorized_client"))
		return oidc_unreachable(
		        "token exchange",
		        "the client was refused: check CURBSIDE_OIDC_CLIENT_ID and "
		        "CURBSIDE_OIDC_CLIENT_SECRET (and the client authentication "
		        "the provider advertises)");
	LOG_INFO("oidc provider refused a code: %s", shown);
	return cs_error_set(CS_EUNAUTHORIZED, "provider_error",
	                    "The sign-in provider did not accept this sign-in (%s). Please start "
	                    "again.",
	                    shown);
}

/*
 * True when `token` can go in an Authorization header as it is: bounded, and only the characters
 * of RFC 6750's b64token (so nothing the provider sends can add a header line).
 */
static bool bearer_usable(const char *token)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                              "0123456789-._~+/=";
	size_t n = strnlen(token, OIDC_ACCESS_TOKEN_MAX + 1);

	return n > 0 && n <= OIDC_ACCESS_TOKEN_MAX && strspn(token, allowed) == n;
}

/* The tokens of a 200 answer `doc`; the access token only when it is a usable Bearer token. */
static int take_tokens(struct oidc_tokens *out, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "id_token"));
	const char *access = json_string_value(json_object_get(doc, "access_token"));
	const char *type = json_string_value(json_object_get(doc, "token_type"));

	if (!id)
		return oidc_unreachable("token exchange", "no id_token");
	if (!(out->id_token = strdup(id)))
		return CS_ENOMEM;
	/* token_type is case-insensitive (RFC 6749 5.1). */
	if (access && bearer_usable(access) && type && !strcasecmp(type, "Bearer") &&
	    !(out->access_token = strdup(access)))
		return CS_ENOMEM;
	return CS_OK;
}

int oidc_exchange_code(struct oidc_tokens *out, const struct oidc_settings *s,
                       const struct oidc_endpoints *e, const char *code, const char *verifier,
                       const char *redirect_uri)
{
	struct basic_credentials basic = {NULL, NULL};
	struct strbuf answer = STRBUF_INIT;
	char *form = NULL;
	json_t *doc = NULL;
	long status = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = exchange_form(&form, &basic, s, e->client_auth, code, verifier, redirect_uri)) !=
	    CS_OK)
		goto out;
	struct oidc_request req = {
	        .url = e->token,
	        .form = form,
	        .basic_user = basic.user,
	        .basic_secret = basic.secret,
	        .timeout_ms = s->timeout_ms,
	        .what = "token exchange",
	};
	if ((rc = oidc_http_call(&status, &answer, &req)) != CS_OK)
		goto out;
	doc = answer.data ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
	if ((status == 400 || status == 401) && json_is_string(json_object_get(doc, "error")))
		rc = refused(doc);
	else if (status != 200)
		rc = oidc_unreachable("token exchange", "an error status");
	else
		rc = take_tokens(out, doc);
out:
	if (rc != CS_OK)
		oidc_tokens_release(out);
	basic_release(&basic);
	json_decref(doc);
	strbuf_release(&answer);
	free(form);
	return rc;
}

int oidc_fetch_userinfo(json_t **out, const struct oidc_settings *s, const struct oidc_endpoints *e,
                        const char *access_token)
{
	*out = NULL;
	if (!e->userinfo[0] || !access_token)
		return oidc_unreachable("userinfo", "the ID token has no email and the provider "
		                                    "offers no userinfo endpoint or access token");
	struct oidc_request req = {
	        .url = e->userinfo,
	        .bearer = access_token,
	        .timeout_ms = s->timeout_ms,
	        .what = "userinfo",
	};
	/* A signed or encrypted answer (application/jwt) is only sent to a client that registered
	 * for one; we did not, so anything but a JSON object is unusable. */
	return oidc_http_json_object(out, &req);
}
