# camfence: top-level build. Every output goes under build/.
#
#   make            BPF object and skeleton, camfenced, camfencectl, test tools
#   make kmod       camfence.ko with Kbuild (KDIR, ARCH, CROSS_COMPILE)
#   make check      every test layer; check-unit, check-bpf, check-netns, check-vm,
#                   check-install
#   make install    PREFIX (/usr/local), DESTDIR; make uninstall
#   make demo       camfence in a sandbox of network namespaces (PCAP=file)
#   make bench      benchmarks, build/bench/results.tsv

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
PKG      := pkg-config

CFLAGS   ?= -O2 -g
# -Wformat=2: a format that is not a literal is flagged (docs/SECURITY.md)
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror=implicit-function-declaration \
            -Wformat=2 -Wformat-security -Werror=format-security \
            -D_GNU_SOURCE -Iinclude -Idaemon -I$(BUILD)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Wno-unused-parameter \
            -I/usr/include/$(shell $(CC) -dumpmachine) -Iinclude

LIBBPF_LIBS := $(shell $(PKG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
NL_CFLAGS   := $(shell $(PKG) --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS     := $(shell $(PKG) --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
MNL_LIBS    := $(shell $(PKG) --libs libmnl 2>/dev/null || echo -lmnl)
CHECK_LIBS  := $(shell $(PKG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt -lpthread)
PCAP_LIBS   := $(shell $(PKG) --libs libpcap 2>/dev/null || echo -lpcap)
JSON_LIBS   := $(shell $(PKG) --libs json-c 2>/dev/null || echo -ljson-c)
JSON_CFLAGS := $(shell $(PKG) --cflags json-c 2>/dev/null)
CARES_LIBS  := $(shell $(PKG) --libs libcares 2>/dev/null || echo -lcares)
LDNS_LIBS   := $(shell $(PKG) --libs ldns 2>/dev/null || echo -lldns)
CFLAGS      += $(NL_CFLAGS) $(JSON_CFLAGS)
# what every program linking libcamfence.a needs
LIB_LIBS    := $(LIBBPF_LIBS) $(NL_LIBS) $(MNL_LIBS) $(JSON_LIBS) $(CARES_LIBS) $(LDNS_LIBS)

# The daemon's code is a library so the unit tests link the same objects.
# Every daemon/*.c but the two mains.
LIB_SRCS := $(filter-out daemon/camfenced.c daemon/camfencectl.c,$(wildcard daemon/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
SKEL     := $(BUILD)/camfence.skel.h
BPF_OBJ  := $(BUILD)/camfence.bpf.o

TOOLS_SRCS := $(wildcard tests/tools/*.c)

all: $(BUILD)/camfenced $(BUILD)/camfencectl $(BUILD)/camgen

$(BUILD)/%.o: %.c $(wildcard include/*.h daemon/*.h) | $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# the skeleton embeds the BPF object: whoever includes it is rebuilt with it
$(BUILD)/daemon/loader.o $(BUILD)/daemon/loader_learned.o $(BUILD)/daemon/loader_pin.o $(BUILD)/daemon/camfenced.o $(BUILD)/daemon/audit.o: $(SKEL)

$(BPF_OBJ): bpf/camfence.bpf.c $(wildcard bpf/*.h) include/camfence.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name camfence_bpf > $@

# The DNS snooper, a TC egress program of its own (docs/dns-snoop.md): its
# object and skeleton beside the XDP program's.
DNS_BPF_OBJ := $(BUILD)/camfence_dns.bpf.o
DNS_SKEL    := $(BUILD)/camfence_dns.skel.h

$(DNS_BPF_OBJ): bpf/camfence_dns.bpf.c include/camfence_dns.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(DNS_SKEL): $(DNS_BPF_OBJ)
	$(BPFTOOL) gen skeleton $< name camfence_dns_bpf > $@

$(BUILD)/daemon/dns_snoop.o: $(DNS_SKEL)

# dns_snoop_cat: the snooper attached to one interface, its records printed
# (tests/netns/t_dns_snoop.sh)
all: $(BUILD)/dns_snoop_cat

$(BUILD)/dns_snoop_cat: tests/tools/dns_snoop/dns_snoop_cat.c daemon/dns_snoop.h include/camfence_dns.h \
		$(BUILD)/libcamfence.a
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.a,$^) $(LIB_LIBS)

$(BUILD)/libcamfence.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/camfenced: $(BUILD)/daemon/camfenced.o $(BUILD)/libcamfence.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIB_LIBS)

$(BUILD)/camfencectl: $(BUILD)/daemon/camfencectl.o $(BUILD)/libcamfence.a
	$(CC) $(CFLAGS) -o $@ $^ $(LIB_LIBS) $(PCAP_LIBS)

$(BUILD)/camgen: $(TOOLS_SRCS) $(wildcard tests/tools/*.h) daemon/pcap_open.c daemon/pcap_open.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(TOOLS_SRCS) daemon/pcap_open.c $(PCAP_LIBS)

# ---- tests ---------------------------------------------------------------

UNIT_SRCS := $(wildcard tests/unit/*.c)
BPFT_SRCS := $(wildcard tests/bpf/*.c)

$(BUILD)/tests/unit_tests: $(UNIT_SRCS) $(BUILD)/libcamfence.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCAMFENCE_SRCDIR='"$(CURDIR)"' -o $@ $(UNIT_SRCS) $(BUILD)/libcamfence.a \
		$(CHECK_LIBS) $(LIB_LIBS) $(PCAP_LIBS)

$(BUILD)/tests/bpf_tests: $(BPFT_SRCS) $(BUILD)/libcamfence.a $(SKEL) $(DNS_SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCAMFENCE_SRCDIR='"$(CURDIR)"' -o $@ $(BPFT_SRCS) $(BUILD)/libcamfence.a \
		$(CHECK_LIBS) $(LIB_LIBS) $(PCAP_LIBS) -lpthread

deps:
	@scripts/deps.sh

check: deps
	@scripts/check.sh

check-unit: $(BUILD)/tests/unit_tests
	@$(BUILD)/tests/unit_tests

check-bpf: $(BUILD)/tests/bpf_tests
	@$(BUILD)/tests/bpf_tests

check-netns: all
	@tests/netns/run.sh

check-vm: all kmod
	@tests/vm/run.sh

check-install: all
	@tests/install.sh

# the Debian packages, built from a copy of the tree (tests/package.sh)
check-package:
	@tests/package.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(PCAP)

# ---- fuzz ----
# make check-fuzz: the policy parser and the DNS response parser under
# libFuzzer, ASan and UBSan. Replays tests/fuzz/corpus (and tests/policies),
# then fuzzes each for FUZZ_SECONDS (30) from a scratch copy of its corpus;
# crashes land in $(BUILD)/fuzz/artifacts.
# Needs clang's libFuzzer runtime (libclang-rt-14-dev). docs/fuzzing.md.

FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1 \
                -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
                -D_GNU_SOURCE -Iinclude -Idaemon -DFUZZ_DATA='"$(CURDIR)/tests/fuzz"'
# the parser and what it calls: the harness links these, not libcamfence.a
FUZZ_SRCS    := tests/fuzz/fuzz_policy.c daemon/policy_lex.c daemon/policy_parse.c \
                daemon/policy_resolve.c daemon/policy_trust.c daemon/oui.c daemon/addr.c

$(FUZZ_DIR)/fuzz_policy: $(FUZZ_SRCS) $(wildcard include/*.h daemon/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS)

# the DNS response parser; ldns is Debian's, linked as it is, not instrumented
FUZZ_DNS_SRCS := tests/fuzz/fuzz_dns_answer.c daemon/dns_answer.c

$(FUZZ_DIR)/fuzz_dns_answer: $(FUZZ_DNS_SRCS) daemon/dns_answer.h daemon/addr.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $(FUZZ_DNS_SRCS) $(LDNS_LIBS)

check-fuzz: $(FUZZ_DIR)/fuzz_policy $(FUZZ_DIR)/fuzz_dns_answer
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_DIR)

.PHONY: check-fuzz
# ---- end fuzz ----

# ---- bench ----
# make bench (as root): ns per packet of camfence_xdp through BPF_PROG_TEST_RUN
# against an XDP program that only passes and against xdp-filter's program
# (libxdp1's xdpfilt_dny_all.o; BENCH_XDPFILTER), compile and push of 100,000
# rules, and camfencectl check on policies of 10,000 devices. Outputs under
# $(BUILD)/bench; docs/PERFORMANCE.md.

BENCH_DIR  := $(BUILD)/bench
BENCH_SRCS := bench/xdp_bench.c bench/gen_policy.c bench/xdpfilter.c tests/bpf/packet.c

$(BENCH_DIR)/pass.bpf.o: bench/pass.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/xdp_bench: $(BENCH_SRCS) bench/bench.h tests/bpf/packet.h $(BUILD)/libcamfence.a $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/bpf -o $@ $(BENCH_SRCS) $(BUILD)/libcamfence.a \
		$(LIB_LIBS) $(PCAP_LIBS)

# bench/fwd.sh: livegen floods through a router namespace with BPF_PROG_RUN
# in live-frames mode; drop.bpf.o is the floor it is measured against
$(BENCH_DIR)/drop.bpf.o: bench/drop.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/livegen.bpf.o: bench/livegen.bpf.c bench/livegen.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/livegen.skel.h: $(BENCH_DIR)/livegen.bpf.o
	$(BPFTOOL) gen skeleton $< name livegen_bpf > $@

$(BENCH_DIR)/livegen: bench/livegen.c bench/livegen.h $(BENCH_DIR)/livegen.skel.h
	$(CC) $(CFLAGS) -I$(BENCH_DIR) -o $@ $< $(LIBBPF_LIBS) -lpthread

bench: all $(BENCH_DIR)/pass.bpf.o $(BENCH_DIR)/xdp_bench $(BENCH_DIR)/drop.bpf.o $(BENCH_DIR)/livegen
	@bench/run.sh $(BUILD)
# ---- end bench ----

# ---- kernel module -------------------------------------------------------
# Kbuild writes its objects beside the sources, so the module is built in a
# mirror of symlinks under build/kmod and the tree stays clean.

KMOD_SRCS := $(wildcard kmod/*.c kmod/*.h)

kmod: $(BUILD)/kmod/camfence.ko

# KDIR is found when the module is built, not on every make run.
$(BUILD)/kmod/camfence.ko: Kbuild $(KMOD_SRCS) $(wildcard include/*.h)
	@mkdir -p $(BUILD)/kmod/kmod
	@ln -sf $(CURDIR)/Kbuild $(BUILD)/kmod/Kbuild
	@ln -sfn $(CURDIR)/include $(BUILD)/kmod/include
	@for f in $(KMOD_SRCS); do ln -sf $(CURDIR)/$$f $(BUILD)/kmod/$$f; done
	kdir="$(KDIR)"; kdir="$${kdir:-$$(scripts/kdir.sh)}" || exit 1; \
		$(MAKE) -C "$$kdir" M=$(CURDIR)/$(BUILD)/kmod modules

# ---- install ----
# make install [PREFIX=/usr/local] [DESTDIR=...]: the daemon and CLI, the BPF
# objects (for reading; camfenced carries its own copies), the module's sources
# where DKMS looks for them, the man pages, an example policy and the systemd
# unit with this PREFIX's path in it. make uninstall takes the same away.
# The policy itself (/etc/camfence/camfence.conf) is the admin's: installed
# by neither, removed by neither.

VERSION    := $(shell sed -n 's/^\#define CAMFENCE_VERSION "\(.*\)"/\1/p' include/camfence.h)
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib/camfence
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/camfence
UNITDIR    ?= /lib/systemd/system
DKMSDIR    ?= /usr/src/camfence-$(VERSION)
MAN_PAGES  := $(wildcard docs/man/*.[1-8])
KMOD_TREE  := Kbuild dkms.conf $(KMOD_SRCS) include/camfence.h include/camfence_genl.h

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/camfenced $(BUILD)/camfencectl $(DESTDIR)$(SBINDIR)/
	install -m 0644 $(BPF_OBJ) $(DNS_BPF_OBJ) $(DESTDIR)$(LIBDIR)/
	install -m 0644 docs/examples/camfence.conf $(DESTDIR)$(DOCDIR)/examples/
	sed 's|/usr/sbin/camfenced|$(SBINDIR)/camfenced|g' daemon/camfenced.service \
		>$(DESTDIR)$(UNITDIR)/camfenced.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/camfenced.service
	for f in $(MAN_PAGES); do \
		s=$${f##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
		install -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	for f in $(KMOD_TREE); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/camfenced $(DESTDIR)$(SBINDIR)/camfencectl
	rm -f $(DESTDIR)$(LIBDIR)/camfence.bpf.o $(DESTDIR)$(LIBDIR)/camfence_dns.bpf.o
	rm -f $(DESTDIR)$(UNITDIR)/camfenced.service
	rm -f $(DESTDIR)$(DOCDIR)/examples/camfence.conf
	for f in $(MAN_PAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; done
	rm -rf $(DESTDIR)$(DKMSDIR)
	-rmdir $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf $(BUILD)

.PHONY: all deps check check-unit check-bpf check-netns check-vm check-install check-package demo bench kmod install uninstall clean
