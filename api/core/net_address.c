#include "core/net_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* An IPv4 address in host byte order inside prefix/len. */
static bool in_net(uint32_t a, uint32_t prefix, int len)
{
	uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);

	return (a & mask) == (prefix & mask);
}

static bool ipv4_blocked(uint32_t a)
{
	static const struct {
		uint32_t prefix;
		int len;
	} nets[] = {
	        {0x00000000u, 8},  /* 0/8: "this network", the unspecified address */
	        {0x0a000000u, 8},  /* 10/8 */
	        {0x64400000u, 10}, /* 100.64/10: carrier-grade NAT */
	        {0x7f000000u, 8},  /* 127/8: loopback */
	        {0xa9fe0000u, 16}, /* 169.254/16: link-local, cloud metadata */
	        {0xac100000u, 12}, /* 172.16/12 */
	        {0xc0000000u, 24}, /* 192.0.0/24: protocol assignments */
	        {0xc0a80000u, 16}, /* 192.168/16 */
	        {0xc6120000u, 15}, /* 198.18/15: benchmarking */
	        {0xe0000000u, 4},  /* 224/4: multicast */
	        {0xf0000000u, 4},  /* 240/4: reserved, and the broadcast address */
	};

	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if (in_net(a, nets[i].prefix, nets[i].len))
			return true;
	return false;
}

static uint32_t ipv4_of(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static bool ipv6_blocked(const struct in6_addr *a)
{
	static const unsigned char zero[12] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const unsigned char *b = a->s6_addr;

	/* ::, ::1 and the deprecated IPv4-compatible form ::a.b.c.d: none is a public peer. */
	if (!memcmp(b, zero, 12))
		return true;
	/* ::ffff:a.b.c.d reaches the IPv4 address it carries. */
	if (!memcmp(b, mapped, 12))
		return ipv4_blocked(ipv4_of(b + 12));
	if ((b[0] & 0xfe) == 0xfc) /* fc00::/7: unique-local */
		return true;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10: link-local */
		return true;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* fec0::/10: the old site-local */
		return true;
	if (b[0] == 0xff) /* ff00::/8: multicast */
		return true;
	/* 64:ff9b::/96 (NAT64) carries an IPv4 address too. */
	if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && !memcmp(b + 4, zero, 8))
		return ipv4_blocked(ipv4_of(b + 12));
	return false;
}

bool net_address_blocked(const struct sockaddr *sa)
{
	if (!sa)
		return true;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return ipv4_blocked(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6)
		return ipv6_blocked(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return true;
}

bool net_address_text_blocked(const char *text)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

	if (!text)
		return false;
	if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
		return net_address_blocked((const struct sockaddr *)&in);
	if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
		return net_address_blocked((const struct sockaddr *)&in6);
	return false;
}

bool net_address_is_loopback_host(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;
	char bare[64];
	size_t len;

	if (!host)
		return false;
	if (!strcasecmp(host, "localhost"))
		return true;
	len = strlen(host);
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(bare)) {
		memcpy(bare, host + 1, len - 2);
		bare[len - 2] = '\0';
		host = bare;
	}
	if (inet_pton(AF_INET, host, &v4) == 1)
		return in_net(ntohl(v4.s_addr), 0x7f000000u, 8);
	if (inet_pton(AF_INET6, host, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return false;
}
