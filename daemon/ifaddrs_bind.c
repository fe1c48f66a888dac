// SPDX-License-Identifier: GPL-2.0
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ifaddrs_bind.h"

/* The addresses of this router's interfaces, for `local` and `router`. */
void camfence_ifaddrs_bind(struct cf_config *cfg)
{
	CF_VEC(struct cf_iface_addr) addrs = { 0 };
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i; i = i->ifa_next) {
			struct cf_iface_addr *a;
			int family = i->ifa_addr ? i->ifa_addr->sa_family : 0;
			const uint8_t *m;
			unsigned int b, len = 0, max;

			if (family != AF_INET && family != AF_INET6)
				continue;
			a = CF_VEC_PUSH(addrs);
			snprintf(a->ifname, sizeof(a->ifname), "%s", i->ifa_name);
			a->addr.family = family;
			max = family == AF_INET ? 4 : 16;
			memcpy(a->addr.addr, family == AF_INET ?
			       (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr :
			       (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, max);
			m = family == AF_INET ?
			    (const uint8_t *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr :
			    (const uint8_t *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr;
			for (b = 0; i->ifa_netmask && b < max * 8; b++)
				len += !!(m[b / 8] & (0x80 >> (b % 8)));
			a->addr.len = len;
		}
		freeifaddrs(ifa);
	}
	camfence_policy_bind(cfg, addrs.v, addrs.n);
	free(addrs.v);
}
