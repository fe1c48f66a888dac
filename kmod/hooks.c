// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks on IPv4 and IPv6 FORWARD, in every network namespace.
 *
 * Only forwarded traffic matters: a camera's packets to the internet cross
 * the router, they are never addressed to it. A packet that came in on an
 * interface of a zone is parsed as the XDP program parses a frame, decided
 * by the same lookups (policy.c), counted, and dropped or accepted; a
 * dropped one that opens a connection becomes an event. Every other packet
 * is accepted untouched.
 *
 * Packets reach FORWARD reassembled: the first commit of a policy in a
 * namespace enables conntrack there, and with it defragmentation, so a
 * datagram cut in fragments is judged whole here, ports included.
 */

#include "hooks.h"
#include "events.h"
#include "net.h"
#include "policy.h"

#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>

/* As the XDP program: a longer chain than any real device sends is malformed. */
#define MAX_IPV6_EXT_HDRS 4

#if IS_ENABLED(CONFIG_IPV6)
#define TRACKED NFPROTO_INET
#else
#define TRACKED NFPROTO_IPV4
#endif

static int parse_l4(const struct sk_buff *skb, unsigned int off, struct camfence_packet *p,
		    bool first_fragment)
{
	p->dport = 0;
	if (!first_fragment)
		return 0;
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th = skb_header_pointer(skb, off, sizeof(_th), &_th);

		if (!th)
			return -1;
		p->sport = ntohs(th->source);
		p->dport = ntohs(th->dest);
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);

		if (!uh)
			return -1;
		p->sport = ntohs(uh->source);
		p->dport = ntohs(uh->dest);
		/* DHCP and DHCPv6 from a client, to whoever serves it */
		if ((p->sport == 68 && p->dport == 67) || (p->sport == 546 && p->dport == 547))
			p->essential = true;
	} else if (p->proto == IPPROTO_ICMPV6) {
		struct icmp6hdr _ih;
		const struct icmp6hdr *ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);

		if (!ih)
			return -1;
		/* listener reports, router and neighbour discovery, redirect */
		if ((ih->icmp6_type >= 130 && ih->icmp6_type <= 137) || ih->icmp6_type == 143)
			p->essential = true;
	}
	return 0;
}

/* ip_rcv() checked the header and pulled it: only what follows is read. */
static int parse_ipv4(const struct sk_buff *skb, struct camfence_packet *p)
{
	const struct iphdr *iph = ip_hdr(skb);

	p->family = AF_INET;
	p->proto = iph->protocol;
	memcpy(p->saddr, &iph->saddr, 4);
	memcpy(p->daddr, &iph->daddr, 4);
	if (parse_l4(skb, skb_network_offset(skb) + iph->ihl * 4, p,
		     !(iph->frag_off & htons(IP_OFFSET))))
		return -1;
	/* a source route, as the XDP program refuses it: the header's
	 * destination is only a hop on the way */
	return IPCB(skb)->opt.srr ? -1 : 0;
}

/*
 * The XDP program's walk of the extension headers rather than
 * ipv6_skip_exthdr(): the same four at most, and AH as a protocol, so both
 * decide the same packet alike.
 */
static int parse_ipv6(const struct sk_buff *skb, struct camfence_packet *p)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int off = skb_network_offset(skb) + sizeof(*ip6h);
	bool first = true;
	u8 nh = ip6h->nexthdr;
	int i;

	p->family = AF_INET6;
	memcpy(p->saddr, &ip6h->saddr, 16);
	memcpy(p->daddr, &ip6h->daddr, 16);
	for (i = 0; i < MAX_IPV6_EXT_HDRS; i++) {
		if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST) {
			struct ipv6_opt_hdr _oh;
			const struct ipv6_opt_hdr *oh;

			oh = skb_header_pointer(skb, off, sizeof(_oh), &_oh);
			if (!oh)
				return -1;
			if (nh == NEXTHDR_ROUTING) {
				struct ipv6_rt_hdr _rh;
				const struct ipv6_rt_hdr *rh;

				/* segments left: the destination is only the next hop */
				rh = skb_header_pointer(skb, off, sizeof(_rh), &_rh);
				if (!rh || rh->segments_left) {
					p->proto = NEXTHDR_ROUTING;
					return -1;
				}
			}
			nh = oh->nexthdr;
			off += ipv6_optlen(oh);
		} else if (nh == NEXTHDR_FRAGMENT) {
			struct frag_hdr _fh;
			const struct frag_hdr *fh;

			fh = skb_header_pointer(skb, off, sizeof(_fh), &_fh);
			if (!fh)
				return -1;
			nh = fh->nexthdr;
			first = !(fh->frag_off & htons(IP6_OFFSET));
			off += sizeof(*fh);
		} else {
			break;
		}
	}
	if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	    nh == NEXTHDR_FRAGMENT) {
		p->proto = nh;
		return -1;
	}
	p->proto = nh;
	return parse_l4(skb, off, p, first);
}

/* The frame's source MAC, when it came in as an Ethernet frame. */
static void source_mac(const struct sk_buff *skb, const struct net_device *in,
		       struct camfence_packet *p)
{
	if (in->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb) ||
	    skb_mac_header_len(skb) != ETH_HLEN)
		return;
	memcpy(p->mac, eth_hdr(skb)->h_source, ETH_ALEN);
	p->has_mac = true;
}

/*
 * The zone of the interface the packet came in on. A VLAN device has no tag
 * left on its packets; the XDP program, attached to the device below, sees
 * (that device, the tag): when the VLAN device itself is in no zone, look
 * as it does.
 */
static const struct camfence_iface *zone_iface(const struct camfence_gen *gen,
					       const struct net_device *dev, u32 *ifindex,
					       u16 *vlan)
{
	const struct camfence_iface *iface;

	*ifindex = dev->ifindex;
	iface = camfence_policy_iface(gen, dev->ifindex, *vlan);
#if IS_ENABLED(CONFIG_VLAN_8021Q)
	if (!iface && is_vlan_dev(dev)) {
		u16 id = vlan_dev_vlan_id(dev);

		while (is_vlan_dev(dev))
			dev = vlan_dev_real_dev(dev);
		iface = camfence_policy_iface(gen, dev->ifindex, id);
		if (iface) {
			*ifindex = dev->ifindex;
			*vlan = id;
		}
	}
#endif
	return iface;
}

/* Conntrack's view: in the reply direction of a connection; the first
 * packet of one (or a packet conntrack does not follow). */
static bool is_reply(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;

	return nf_ct_get(skb, &ctinfo) && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY;
#else
	return false;
#endif
}

static bool opens_connection(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;

	return !nf_ct_get(skb, &ctinfo) || ctinfo == IP_CT_NEW;
#else
	return true;
#endif
}

static unsigned int forward(struct sk_buff *skb, const struct nf_hook_state *state, bool ipv6)
{
	struct camfence_net *pn = camfence_net(state->net);
	const struct camfence_iface *iface;
	const struct camfence_gen *gen;
	struct camfence_packet p = {};
	struct camfence_result r;
	u32 ifindex;
	int err;

	gen = rcu_dereference(pn->live);
	if (!gen || !state->in)
		return NF_ACCEPT;
	p.vlan = skb_vlan_tag_present(skb) ? skb_vlan_tag_get_id(skb) : 0;
	iface = zone_iface(gen, state->in, &ifindex, &p.vlan);
	if (!iface) {
		camfence_counters_stat(&pn->counters, CAMFENCE_STAT_UNMANAGED, 1);
		return NF_ACCEPT;
	}

	source_mac(skb, state->in, &p);
	err = ipv6 ? parse_ipv6(skb, &p) : parse_ipv4(skb, &p);
	if (err) {
		/* a camera-facing interface gets no benefit of the doubt,
		 * unless it is only watched (`mode monitor`) */
		u8 v = camfence_policy_monitored(gen, iface, &p) ? CAMFENCE_WOULD_DROP :
								     CAMFENCE_DROP;

		camfence_counters_stat(&pn->counters, CAMFENCE_STAT_MALFORMED, 1);
		camfence_counters_count(&pn->counters, NULL, 0, CAMFENCE_RULE_DEFAULT, v, skb->len);
		r = (struct camfence_result){ .policy_id = CAMFENCE_POLICY_NONE,
					      .rule_id = CAMFENCE_RULE_DEFAULT,
					      .verdict = v,
					      .reason = CAMFENCE_REASON_MALFORMED };
		if (opens_connection(skb))
			camfence_events_report(state->net, pn, gen, ifindex, &p, &r);
		return v == CAMFENCE_DROP ? NF_DROP : NF_ACCEPT;
	}

	/*
	 * No essentials here: they are for the link, and what reaches FORWARD
	 * is routed on. DHCP to port 67 or "neighbour discovery" that crosses
	 * the router is judged as any other packet, as the XDP program does
	 * when the FIB says it would be routed.
	 */
	camfence_policy_classify(gen, iface, &p, &r);
	/* `allow replies`: a peer opened this connection towards the device */
	if (r.verdict == CAMFENCE_DROP && (r.policy_flags & CAMFENCE_POLICY_ALLOW_REPLIES) &&
	    is_reply(skb)) {
		camfence_counters_count(&pn->counters, NULL, r.device_id, CAMFENCE_RULE_DEFAULT,
					CAMFENCE_PASS, skb->len);
		return NF_ACCEPT;
	}
	camfence_counters_count(&pn->counters, gen->rules, r.device_id, r.rule_id, r.verdict,
				skb->len);
	if (r.verdict == CAMFENCE_PASS)
		return NF_ACCEPT;
	if ((r.flags & CAMFENCE_DECISION_LOG) && opens_connection(skb))
		camfence_events_report(state->net, pn, gen, ifindex, &p, &r);
	return r.verdict == CAMFENCE_DROP ? NF_DROP : NF_ACCEPT;
}

static unsigned int ipv4_forward(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return forward(skb, state, false);
}

#if IS_ENABLED(CONFIG_IPV6)
static unsigned int ipv6_forward(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return forward(skb, state, true);
}
#endif

/*
 * Conntrack has no FORWARD hook: it attached its entry in PRE_ROUTING, so at
 * any FORWARD priority skb_nfct() is already set and "allow replies" can be
 * answered. What the priority does decide is our place among the other
 * FORWARD hooks. Right after conntrack's slot puts us ahead of mangle (-150),
 * the filter table and nftables' default filter chains (0): a camera's
 * packet is dropped before the admin's ruleset spends any work on it, and
 * those rulesets only ever see traffic that camfence let through.
 */
static const struct nf_hook_ops hook_ops[] = {
	{
		.hook		= ipv4_forward,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= ipv6_forward,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
#endif
};

int camfence_hooks_track(struct net *net, struct camfence_net *pn)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	int ret;

	if (pn->tracking)
		return 0;
	/* conntrack and defragmentation, IPv4 and IPv6, for this namespace */
	ret = nf_ct_netns_get(net, TRACKED);
	if (ret)
		return ret;
	pn->tracking = true;
#endif
	return 0;
}

/*
 * Netfilter hooks belong to one namespace. Through pernet_operations every
 * namespace, existing or created later, gets ours, and a namespace that goes
 * away takes them along. Registered after the namespace state of net.c and
 * unregistered before it, so that state outlives the hooks that read it.
 */
static int __net_init hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
}

static void __net_exit hooks_net_exit(struct net *net)
{
	struct camfence_net *pn = camfence_net(net);

	nf_unregister_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	if (pn->tracking)
		nf_ct_netns_put(net, TRACKED);
#endif
	pn->tracking = false;
}

static struct pernet_operations hooks_net_ops = {
	.init = hooks_net_init,
	.exit = hooks_net_exit,
};

int __init camfence_hooks_init(void)
{
	return register_pernet_subsys(&hooks_net_ops);
}

void camfence_hooks_uninit(void)
{
	unregister_pernet_subsys(&hooks_net_ops);
}
