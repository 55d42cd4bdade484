# UDP clients for `swnc --echo -lu` (and, given a socket path instead of a port, for
# `swnc --echo -lUu PATH`, with UNIX datagrams up to 200,000 bytes).
#
#   load_udp_echo.py PORT sizes        one datagram of each sample size up to 65507, each must
#                                      come back unchanged; prints "SIZES ok failed"
#   load_udp_echo.py PORT burst N      N numbered datagrams as fast as they go; prints
#                                      "BURST returned corrupted" (UDP may drop; nothing may
#                                      change, merge or repeat)
import os
import random
import selectors
import socket
import struct
import sys
import time

from load_report import report

target, mode = sys.argv[1], sys.argv[2]
if target.startswith("/"):
    LARGEST = 200000
    client = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    client.bind(target + ".client")  # a named sender, so that the echo can come back
    client.connect(target)
else:
    LARGEST = 65507
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.connect(("127.0.0.1", int(target)))
client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)


def sample_sizes():
    sizes = {0, 1, 2, 3, LARGEST - 1, LARGEST}
    power = 4
    while power <= LARGEST:
        sizes.update({power - 1, power, power + 1})
        power *= 2
    return sorted(size for size in sizes if size <= LARGEST)


def check_sizes():
    client.settimeout(2)
    ok = failed = 0
    for size in sample_sizes():
        payload = os.urandom(size)
        for _ in range(3):  # loopback rarely drops, but UDP may: try a lost one again
            client.send(payload)
            try:
                echoed = client.recv(LARGEST + 1)
                break
            except socket.timeout:
                echoed = None
        if echoed == payload:
            ok += 1
        else:
            failed += 1
            print("size %d came back as %s" % (size, None if echoed is None else len(echoed)), file=sys.stderr)
    report("SIZES", ok, failed)


def numbered(sequence):
    """Datagram `sequence`: its number, its length, and bytes derived from both, so a changed,
    cut or merged datagram cannot pass."""
    length = 8 + random.Random(sequence).randrange(0, 1400)
    body = random.Random(sequence * 7919).randbytes(length - 8)
    return struct.pack("!II", sequence, length) + body


def burst(count):
    client.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(client, selectors.EVENT_READ | selectors.EVENT_WRITE)
    sent = 0
    seen = set()
    corrupted = 0
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < (1.0 if sent == count else 5.0):
        for _, events in selector.select(timeout=0.1):
            if events & selectors.EVENT_WRITE and sent < count:
                try:
                    client.send(numbered(sent))
                    sent += 1
                except BlockingIOError:
                    pass
                if sent == count:
                    selector.modify(client, selectors.EVENT_READ)
            if events & selectors.EVENT_READ:
                try:
                    datagram = client.recv(LARGEST + 1)
                except (BlockingIOError, ConnectionRefusedError):
                    continue
                quiet_since = time.monotonic()
                sequence = struct.unpack("!I", datagram[:4])[0] if len(datagram) >= 8 else -1
                if sequence < 0 or sequence >= count or sequence in seen or datagram != numbered(sequence):
                    corrupted += 1
                else:
                    seen.add(sequence)
        if sent < count:
            quiet_since = time.monotonic()
    report("BURST", len(seen), corrupted)


if mode == "sizes":
    check_sizes()
else:
    burst(int(sys.argv[3]))
