#include "http/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/* An address (prefix = all its bits) or a network. */
struct ip_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix;
};

struct trusted_proxies {
	size_t count;
	struct ip_net nets[];
};

/* `len` bytes of `text`, without the spaces and tabs around them, as an address (or, with
 * `network`, "ADDR/PREFIX" too). */
static bool parse_net(struct ip_net *net, const char *text, size_t len, bool network)
{
	char buf[64], *slash;

	while (len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) && !network)
		return false;
	if (slash)
		*slash = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, buf, net->addr) == 1) {
		net->family = AF_INET;
		net->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, net->addr) == 1) {
		net->family = AF_INET6;
		net->prefix = 128;
	} else {
		return false;
	}
	if (slash) {
		char *end;
		long prefix = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || prefix < 0 || prefix > net->prefix)
			return false;
		net->prefix = (int)prefix;
	}
	return true;
}

/* An IPv4 address carried in IPv6 (::ffff:a.b.c.d, a dual-stack listener) is the IPv4 one. */
static void unmap_v4(struct ip_net *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (a->family == AF_INET6 && !memcmp(a->addr, mapped, sizeof(mapped))) {
		memmove(a->addr, a->addr + 12, 4);
		memset(a->addr + 4, 0, 12);
		a->family = AF_INET;
		a->prefix = 32;
	}
}

static bool net_contains(const struct ip_net *net, const struct ip_net *a)
{
	int whole = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family || memcmp(net->addr, a->addr, (size_t)whole))
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[whole] & mask) == (a->addr[whole] & mask);
}

static bool trusted(const struct trusted_proxies *proxies, const struct ip_net *a)
{
	for (size_t i = 0; proxies && i < proxies->count; i++)
		if (net_contains(&proxies->nets[i], a))
			return true;
	return false;
}

int trusted_proxies_parse(struct trusted_proxies **out, const char *list)
{
	size_t entries = 1;
	struct trusted_proxies *proxies;

	*out = NULL;
	if (!list || !*list)
		return CS_OK;
	for (const char *c = list; *c; c++)
		entries += *c == ',';
	if (!(proxies = calloc(1, sizeof(*proxies) + entries * sizeof(proxies->nets[0]))))
		return CS_ENOMEM;
	for (const char *start = list;; start++) {
		const char *end = strchr(start, ',');
		size_t len = end ? (size_t)(end - start) : strlen(start);
		if (!parse_net(&proxies->nets[proxies->count], start, len, true)) {
			LOG_ERROR(
			        "CURBSIDE_TRUSTED_PROXIES: \"%.*s\" is not an address or a network "
			        "(ADDRESS or ADDRESS/PREFIX)",
			        (int)len, start);
			free(proxies);
			return CS_EINVALID;
		}
		unmap_v4(&proxies->nets[proxies->count++]);
		if (!end)
			break;
		start = end;
	}
	*out = proxies;
	return CS_OK;
}

void trusted_proxies_free(struct trusted_proxies *proxies)
{
	free(proxies);
}

static bool peer_of(struct ip_net *a, const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	if (sa && sa->sa_family == AF_INET) {
		memcpy(a->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		a->family = AF_INET;
		a->prefix = 32;
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(a->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		a->family = AF_INET6;
		a->prefix = 128;
		unmap_v4(a);
	} else {
		return false;
	}
	return true;
}

static void format(char *out, size_t cap, const struct ip_net *a)
{
	if (!inet_ntop(a->family, a->addr, out, (socklen_t)cap))
		snprintf(out, cap, "unknown");
}

void client_address_resolve(char *out, size_t cap, const struct trusted_proxies *proxies,
                            const struct sockaddr *peer, const char *forwarded_for)
{
	struct ip_net hop;

	snprintf(out, cap, "unknown");
	if (!peer_of(&hop, peer))
		return;
	format(out, cap, &hop);
	if (!forwarded_for || !trusted(proxies, &hop))
		return;
	/* Right to left: each hop was added by the one after it, and only a trusted one is
	 * believed about the one before. */
	for (const char *end = forwarded_for + strlen(forwarded_for); end > forwarded_for;) {
		const char *start = end;
		while (start > forwarded_for && start[-1] != ',')
			start--;
		if (!parse_net(&hop, start, (size_t)(end - start), false))
			return;
		unmap_v4(&hop);
		format(out, cap, &hop);
		if (!trusted(proxies, &hop))
			return;
		end = start > forwarded_for ? start - 1 : forwarded_for;
	}
}
