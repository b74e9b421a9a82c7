/*
 * Which network addresses a webhook may reach (issue 26, SSRF): an outside caller's URL must not
 * make the server talk to itself, its private network or a cloud metadata service. Pure: the
 * callers resolve and connect.
 */
#ifndef CURBSIDE_CORE_NET_ADDRESS_H
#define CURBSIDE_CORE_NET_ADDRESS_H

#include <stdbool.h>
#include <sys/socket.h>

/*
 * True when `sa` (AF_INET or AF_INET6) is not a public unicast address: private (10/8,
 * 172.16/12, 192.168/16, 100.64/10), loopback, link-local (169.254/16, fe80::/10), unique-local
 * (fc00::/7), unspecified, multicast, broadcast, or an IPv4-mapped or -compatible IPv6 form of one
 * of these. Any other family is refused too.
 */
bool net_address_blocked(const struct sockaddr *sa);

/* As net_address_blocked for a numeric address in text ("10.0.0.1", "::ffff:127.0.0.1"); false
 * when `text` is not a numeric address at all. */
bool net_address_text_blocked(const char *text);

/* True when `host` is "localhost" or a numeric loopback address (127/8, ::1), brackets allowed:
 * where plain http is acceptable outside production. */
bool net_address_is_loopback_host(const char *host);

#endif
