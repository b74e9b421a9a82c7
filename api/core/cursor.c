#include "core/cursor.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/b64url.h"
#include "core/json_text.h"
#include "core/strbuf.h"
#include "core/validate.h"

int cursor_decode(struct cursor *out, const char *text)
{
	unsigned char raw[CURSOR_MAX_LENGTH];
	size_t len = 0;
	int rc = CS_EINVALID;

	memset(out, 0, sizeof(*out));
	if (!text || strlen(text) > CURSOR_MAX_LENGTH ||
	    b64url_decode(raw, sizeof(raw), &len, text, strlen(text)) != CS_OK)
		return CS_EINVALID;
	json_t *doc = json_loadb((const char *)raw, len, JSON_REJECT_DUPLICATES, NULL);
	const char *key = json_string_value(json_array_get(doc, 0));
	const char *id = json_string_value(json_array_get(doc, 1));
	if (json_array_size(doc) == 2 && key && strlen(key) < sizeof(out->key) &&
	    validate_uuid(id)) {
		snprintf(out->key, sizeof(out->key), "%s", key);
		snprintf(out->id, sizeof(out->id), "%s", id);
		rc = CS_OK;
	}
	json_decref(doc);
	return rc;
}

int cursor_encode(char out[CURSOR_MAX_LENGTH + 1], const char *key, const char *id)
{
	struct strbuf json = STRBUF_INIT;
	int rc = CS_EINVALID;

	out[0] = '\0';
	if (strlen(key) > CURSOR_MAX_KEY)
		return CS_EINVALID;
	strbuf_append(&json, "[", 1);
	json_text_string(&json, key);
	strbuf_append(&json, ",", 1);
	json_text_string(&json, id);
	strbuf_append(&json, "]", 1);
	if (json.failed)
		rc = CS_ENOMEM;
	else if (b64url_encoded_len(json.len) <= CURSOR_MAX_LENGTH) {
		b64url_encode(out, (const unsigned char *)json.data, json.len);
		rc = CS_OK;
	}
	strbuf_release(&json);
	return rc;
}
