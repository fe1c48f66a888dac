// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen: traffic generator and sink for camfence's demo and network-
 * namespace tests. This file only dispatches; each subcommand lives in its
 * own file. docs/camgen.md describes every output line.
 */
#include <stdio.h>
#include <string.h>

#include "camgen.h"
#include "util.h"

struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "udp", camgen_udp_main,
	  "usage: camgen udp --dst ADDR --port N [--count N] [--interval-ms N] [--size N] [--sport N]\n"
	  "  Send N UDP datagrams (default 10, every 10 ms, 64-byte payload) from a\n"
	  "  normal socket. Prints 'udp DST PORT sent N'.\n" },
	{ "tcp", camgen_tcp_main,
	  "usage: camgen tcp --dst ADDR --port N [--timeout-ms N]\n"
	  "  Try one TCP connection (default timeout 1000 ms). Prints 'tcp DST PORT reached'\n"
	  "  (accepted or refused) and exits 0, or 'tcp DST PORT blocked' and exits 1.\n" },
	{ "camera", camgen_camera_main,
	  "usage: camgen camera --nvr ADDR --cloud ADDR[,ADDR...] [--ntp ADDR] [--dns ADDR] [--duration S]\n"
	  "  Behave like an IP camera for S seconds (default 5): RTP to the NVR, RTSP\n"
	  "  connects, NTP, DNS, and phone-home to each cloud address. Prints counts.\n" },
	{ "replay", camgen_replay_main,
	  "usage: camgen replay --iface IF --pcap FILE --dmac MAC [--smac MAC] [--speed X | --fast] [--limit N]\n"
	  "  Send the camera's frames of an Ethernet capture on IF, unicast destination\n"
	  "  MACs rewritten to MAC. Prints 'replay: sent N of M frames from MAC'.\n" },
	{ "flood", camgen_flood_main,
	  "usage: camgen flood --iface IF --dmac MAC --rate PPS [--devices N] [--flows-per-device M]\n"
	  "                    [--duration S | --count N] [--mac-base MAC] [--src-net PREFIX]\n"
	  "                    [--dst-net PREFIX]... [--dport N] [--fresh]\n"
	  "  Send 64-byte UDP frames on IF with AF_PACKET at PPS frames a second: device i\n"
	  "  from MAC mac-base + i, M flows each (default 1; --fresh: every frame a new\n"
	  "  flow). Prints 'flood: sent N frames, D devices, F flows in T s'.\n" },
	{ "frame", camgen_frame_main,
	  "usage: camgen frame --iface IF --dmac MAC --src ADDR --dst ADDR [--smac MAC] [--vlan ID]...\n"
	  "                    [--proto P] [--sport N] [--dport N] [--icmp-type N] [--size N]\n"
	  "                    [--hop-limit N] [--record-route | --lsrr ADDR | --ssrr ADDR | --srh ADDR]\n"
	  "                    [--ext hop,dst,rt0...] [--frag OFF:LEN[:last]]... [--id N]\n"
	  "                    [--encap gre|ipip|sit|vxlan --inner-src ADDR --inner-dst ADDR] [--count N]\n"
	  "  Send one crafted frame, or its fragments, raw on IF: VLAN/QinQ tags, IPv4\n"
	  "  options and source routes, IPv6 extension headers and segment routing,\n"
	  "  fragments (8-byte offsets, in the order given), tunnels. Prints 'frame: sent N'.\n" },
	{ "pcap-info", camgen_pcapinfo_main,
	  "usage: camgen pcap-info FILE\n"
	  "  Print the capture's camera and its peers as 'key value' lines.\n" },
	{ "sink", camgen_sink_main,
	  "usage: camgen sink --iface IF [--duration S] [--out FILE]\n"
	  "  Count IPv4/IPv6 packets received on IF until SIGINT/SIGTERM or S seconds,\n"
	  "  then write 'PROTO DST PORT COUNT' lines to FILE or stdout.\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: camgen COMMAND [OPTIONS]\n\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "%s\n", commands[i].usage);
	fputs("Exit status: 0 done, 1 tcp blocked, 2 usage error, 3 system error.\n", f);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return CAMGEN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return CAMGEN_EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		camgen_util_set_usage(commands[i].usage);
		/* The subcommand sees its own name as argv[0]. */
		return commands[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "camgen: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CAMGEN_EXIT_USAGE;
}
