/*
 * Who the client is when the server sits behind load balancers (HAProxy in scripts/cluster).
 *
 * Behind a balancer every connection comes from the balancer's address, so the per-address
 * throttles (sign-in, links, sign-up) would count every customer together. The balancers the
 * operator lists in CURBSIDE_TRUSTED_PROXIES say who their client was in X-Forwarded-For; the
 * client is the right-most address of that header that is not itself a trusted balancer. A
 * header from anybody else is ignored: a client cannot choose its own address.
 */
#ifndef CURBSIDE_HTTP_CLIENT_ADDRESS_H
#define CURBSIDE_HTTP_CLIENT_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/error.h"

/* Room for any address as text (INET6_ADDRSTRLEN, and "unknown"). */
#define CLIENT_ADDRESS_SIZE 46

struct trusted_proxies;

/*
 * Parse a comma-separated list of addresses and networks ("10.0.0.0/8", "127.0.0.1", "::1/128").
 * An empty list is *out = NULL: no balancer is trusted. CS_EINVALID (with the entry logged) for
 * an entry that is not an address; free *out with trusted_proxies_free.
 */
int trusted_proxies_parse(struct trusted_proxies **out, const char *list) CS_MUST_CHECK;

void trusted_proxies_free(struct trusted_proxies *proxies);

/*
 * The client's address as text in `out` (`cap` bytes, at least CLIENT_ADDRESS_SIZE): the peer's,
 * unless the peer is a trusted balancer that sent X-Forwarded-For (`forwarded_for`, NULL when
 * absent); then the right-most entry that is not a trusted balancer, or the left-most when all
 * are. An entry that is not an address ends the walk at the hop that added it.
 */
void client_address_resolve(char *out, size_t cap, const struct trusted_proxies *proxies,
                            const struct sockaddr *peer, const char *forwarded_for);

#endif
