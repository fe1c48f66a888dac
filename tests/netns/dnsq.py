#!/usr/bin/python3
# A DNS client for the netns tests.
#   dnsq.py SERVER NAME            ask SERVER for NAME's A records; print each
#                                  address answered, one a line
#   dnsq.py ADDR NAME --forge DEV  send DEV, from port 53, a response nobody
#                                  asked for that says NAME is ADDR, as a
#                                  hostile host would
import random
import socket
import struct
import sys


def name_wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"


def query(name, qid):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name_wire(name) + struct.pack("!HH", 1, 1)


def forged_response(name, addr, qid):
    hdr = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    q = name_wire(name) + struct.pack("!HH", 1, 1)
    rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton(addr)
    return hdr + q + rr


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += 1 + n


def answers(msg):
    qd, an = struct.unpack("!HH", msg[4:8])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    out = []
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(msg[off:off + 4]))
        off += rdlen
    return out


def main():
    if len(sys.argv) == 5 and sys.argv[3] == "--forge":
        addr, name, device = sys.argv[1], sys.argv[2], sys.argv[4]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 53))
        s.sendto(forged_response(name, addr, random.randrange(65536)), (device, 33333))
        return 0
    server, name = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    qid = random.randrange(65536)
    s.sendto(query(name, qid), (server, 53))
    msg, _ = s.recvfrom(4096)
    for a in answers(msg):
        print(a)
    return 0


sys.exit(main())
