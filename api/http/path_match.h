/*
 * Route templates matched against request paths, without allocating.
 *
 * The server registers one Ulfius endpoint and finds the route itself (http/router.c): Ulfius
 * 2.7 matches a request by splitting every registered template into freshly allocated strings,
 * which cost more than the rest of a /healthz answer put together (docs/decisions.md, issue 20).
 * A template is split once at start-up; a request's path is split in place.
 */
#ifndef CURBSIDE_HTTP_PATH_MATCH_H
#define CURBSIDE_HTTP_PATH_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define PATH_MAX_SEGMENTS 12 /* a longer path matches no route */
#define PATH_MAX_PARAMS   4
#define PATH_PARAM_BYTES  1024 /* all decoded parameter values of one request together */

/* One segment between slashes: `len` bytes at `text` (not NUL-terminated). */
struct path_segment {
	const char *text;
	size_t len;
};

/* A request path split at its slashes; empty segments are dropped, as Ulfius did. */
struct path_segments {
	int count;
	bool too_long; /* more than PATH_MAX_SEGMENTS segments */
	struct path_segment segment[PATH_MAX_SEGMENTS];
};

/* A route template ("/v1/tenants/:tenant") split once: ":name" segments are parameters. */
struct path_template {
	int count;
	struct path_segment segment[PATH_MAX_SEGMENTS];
	bool is_param[PATH_MAX_SEGMENTS];
};

/* The parameters of a matched path, percent-decoded, by name. */
struct path_params {
	int count;
	const char *name[PATH_MAX_PARAMS]; /* the template's names (":" dropped), borrowed */
	size_t name_len[PATH_MAX_PARAMS];
	const char *value[PATH_MAX_PARAMS]; /* NUL-terminated, in `bytes` */
	char bytes[PATH_PARAM_BYTES];
};

/* Split `path` (borrowed: the segments point into it). A NULL path has no segments. */
void path_split(struct path_segments *out, const char *path);

/* Split `pattern` (borrowed). CS_EINVALID when it has too many segments or parameters. */
int path_template_compile(struct path_template *out, const char *pattern) CS_MUST_CHECK;

/* True when `path` has the template's shape: the same number of segments, each literal equal. */
bool path_template_matches(const struct path_template *t, const struct path_segments *path);

/*
 * Decode the parameters of `path`, which matches `t`, into `out`. CS_EINVALID when a value is
 * malformed percent-encoding, decodes to a NUL or to text that is not UTF-8, or does not fit:
 * no route can serve such a path.
 */
int path_params_fill(struct path_params *out, const struct path_template *t,
                     const struct path_segments *path) CS_MUST_CHECK;

/* The value of parameter `name`, or NULL. */
const char *path_param(const struct path_params *p, const char *name);

#endif
