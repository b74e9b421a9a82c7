#include "http/path_match.h"

#include <string.h>

#include "core/hex.h"
#include "core/validate.h"

/* Split `s` at its slashes into `segment` (at most `max`); empty segments are dropped. Returns
 * the number of segments found, which may exceed `max`. */
static int split(struct path_segment *segment, int max, const char *s)
{
	int n = 0;

	while (s && *s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		size_t len = strcspn(s, "/");
		if (n < max)
			segment[n] = (struct path_segment){s, len};
		n++;
		s += len;
	}
	return n;
}

void path_split(struct path_segments *out, const char *path)
{
	int n = split(out->segment, PATH_MAX_SEGMENTS, path);

	out->too_long = n > PATH_MAX_SEGMENTS;
	out->count = out->too_long ? PATH_MAX_SEGMENTS : n;
}

int path_template_compile(struct path_template *out, const char *pattern)
{
	int params = 0;

	memset(out, 0, sizeof(*out));
	out->count = split(out->segment, PATH_MAX_SEGMENTS, pattern);
	if (out->count > PATH_MAX_SEGMENTS)
		return CS_EINVALID;
	for (int i = 0; i < out->count; i++) {
		out->is_param[i] = out->segment[i].text[0] == ':';
		params += out->is_param[i];
	}
	return params <= PATH_MAX_PARAMS ? CS_OK : CS_EINVALID;
}

bool path_template_matches(const struct path_template *t, const struct path_segments *path)
{
	if (path->too_long || path->count != t->count)
		return false;
	for (int i = 0; i < t->count; i++) {
		const struct path_segment *want = &t->segment[i], *got = &path->segment[i];
		if (!t->is_param[i] &&
		    (want->len != got->len || memcmp(want->text, got->text, got->len)))
			return false;
	}
	return true;
}

/* Percent-decode `in` into `out` (room for `cap` bytes with the NUL); its length, or -1. A "+" is
 * a plus in a path, not a space. */
static long decode(char *out, size_t cap, const struct path_segment *in)
{
	size_t n = 0;

	for (size_t i = 0; i < in->len; i++) {
		char c = in->text[i];
		if (c == '%') {
			int hi = i + 2 < in->len ? hex_digit(in->text[i + 1]) : -1;
			int lo = hi >= 0 ? hex_digit(in->text[i + 2]) : -1;
			if (lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return (long)n;
}

int path_params_fill(struct path_params *out, const struct path_template *t,
                     const struct path_segments *path)
{
	size_t used = 0;

	out->count = 0;
	for (int i = 0; i < t->count; i++) {
		if (!t->is_param[i])
			continue;
		char *value = out->bytes + used;
		long len = decode(value, sizeof(out->bytes) - used, &path->segment[i]);
		if (len < 0 || !validate_utf8(value))
			return CS_EINVALID;
		out->name[out->count] = t->segment[i].text + 1;
		out->name_len[out->count] = t->segment[i].len - 1;
		out->value[out->count++] = value;
		used += (size_t)len + 1;
	}
	return CS_OK;
}

const char *path_param(const struct path_params *p, const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; p && i < p->count; i++)
		if (p->name_len[i] == len && !memcmp(p->name[i], name, len))
			return p->value[i];
	return NULL;
}
