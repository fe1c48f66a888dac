/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * camgen: camfence's traffic generator and sink for the demo and the
 * network-namespace tests. One subcommand per file; this header is the
 * dispatcher's view of them.
 */
#ifndef CAMGEN_H
#define CAMGEN_H

/* Exit codes, the same for every subcommand. */
#define CAMGEN_EXIT_OK		0
#define CAMGEN_EXIT_BLOCKED	1	/* tcp: no answer from the destination */
#define CAMGEN_EXIT_USAGE	2	/* bad command line */
#define CAMGEN_EXIT_ERROR	3	/* the system refused: socket, file, route */

int camgen_udp_main(int argc, char **argv);
int camgen_tcp_main(int argc, char **argv);
int camgen_camera_main(int argc, char **argv);
int camgen_replay_main(int argc, char **argv);
int camgen_flood_main(int argc, char **argv);
int camgen_pcapinfo_main(int argc, char **argv);
int camgen_sink_main(int argc, char **argv);
int camgen_frame_main(int argc, char **argv);

#endif
