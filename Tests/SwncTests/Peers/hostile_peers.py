# Hostile and heavy peers of the reliability tests (127.0.0.1 only); every wait has a deadline.
#   hostile_peers.py exec PORT KIND      one peer of an exec child of kind exits (reads to end of
#       file), never-reads (sends up to 1 MB for 3 s, then resets), floods (reads 1 MB of "y\n",
#       then closes), closes-stdout (sends a line, reads for 1 s, resets) or ignores-term (resets
#       after 0.3 s): prints "CONNECTED", what it saw, and "LEFT" once it left
#   hostile_peers.py sequential PORT COUNT   COUNT connections one after another, each sends one
#       distinct line, shuts down sending and must get exactly it back; prints "OK COUNT"
#   hostile_peers.py storm PORT READERS SILENT SENDERS LEAVERS SIZE [chat]   connects every peer,
#       prints "CONNECTED N", waits for a line on stdin, then the senders send SIZE bytes each as
#       fast as the peers that read take them (never more than STORM_WINDOW owed to one), the
#       leavers leave mid-write, the silent never read; prints
#       "READERS <exact>/<readers>" and "SENDERS <exact>/<senders>"
#   hostile_peers.py tls PORT STEP        one abuse of a TLS listener (prints "LOCAL <its port>"
#       first): plaintext, random,
#       truncated-hello, reset-mid-record (each prints "CLOSED" once the listener closed it),
#       stall (sends half a ClientHello, prints "STALLING", holds until stdin ends), echo SIZE
#       (a good client; prints "ECHO SIZE exact")
#   hostile_peers.py soak PORT ROLE SECONDS   mixed load for SECONDS (echo, exec, tls: four
#       clients at once; broker: one reader and one writer a round); prints "TRANSFERS n exact"
import os
import random
import re
import select
import selectors
import socket
import ssl
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 20


def connect(port, receive_buffer=None):
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(TIMEOUT)
    sock.connect((HOST, port))
    return sock


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def read_to_end(sock, limit=None):
    data = bytearray()
    while limit is None or len(data) < limit:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return bytes(data), "reset"
        if not chunk:
            return bytes(data), "eof"
        data += chunk
    return bytes(data), "limit"


def exec_peer(port, kind):
    sock = connect(port)
    print("CONNECTED", flush=True)
    if kind == "exits":
        data, end = read_to_end(sock)
        print("GOT", len(data), end)
        sock.close()
    elif kind == "never-reads":
        sock.setblocking(False)
        sent, deadline, block = 0, time.monotonic() + 3, b"n" * 65536
        while sent < 1 << 20 and time.monotonic() < deadline:
            select.select([], [sock], [], 0.2)
            try:
                sent += sock.send(block[: (1 << 20) - sent])
            except BlockingIOError:
                pass
        print("STOPPED SENDING")
        reset(sock)
    elif kind == "floods":
        data, end = read_to_end(sock, 1 << 20)
        print("GOT", len(data[: 1 << 20]), "yes" if data[: 1 << 20] == b"y\n" * (1 << 19) else "other")
        sock.close()
    elif kind == "closes-stdout":
        # The child's stdin is the same socket as its stdout: no end of file comes while it runs.
        sock.sendall(b"hello\n")
        sock.settimeout(1)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            data = b"(nothing)"
        print("GOT", data.decode(errors="replace"))
        reset(sock)
    elif kind == "ignores-term":
        time.sleep(0.3)
        reset(sock)
    print("LEFT", flush=True)


def sequential(port, count):
    for number in range(count):
        line = ("line %d %s\n" % (number, os.urandom(8).hex())).encode()
        sock = connect(port)
        sock.sendall(line)
        sock.shutdown(socket.SHUT_WR)
        data, end = read_to_end(sock)
        sock.close()
        if data != line or end != "eof":
            print("MISMATCH at", number, repr(data), end, flush=True)
            return
    print("OK", count, flush=True)


# The storm: sender s sends only bytes 32*s .. 32*s+31 (its own alphabet), so that each
# reader can pick out each sender's stream from what the broker interleaves and compare it
# whole; leavers send bytes 128..255, which the readers set aside.
def sender_data(s, size, chat):
    rng = random.Random(s)
    if chat:
        lines, length = [], 0
        while length < size:
            line = ("S%d %d %s\n" % (s, len(lines), rng.randbytes(20).hex())).encode()
            lines.append(line)
            length += len(line)
        return b"".join(lines)
    return bytes(32 * s + (b & 31) for b in rng.randbytes(size))


CHAT_LINE = re.compile(rb"S\d+ \d+ [0-9a-f]{40}")


def chat_lines(received):
    """Each sender's lines as chat passed them on: a line another user's text interrupted was
    ended there, and its rest came as a new line with the same prefix; joined again here."""
    fragments = {}
    for line in bytes(received).split(b"\n")[:-1]:
        if line.startswith(b"<user"):
            user, _, text = line.partition(b"> ")
            fragments.setdefault(user, []).append(text)
    heard = {}
    for texts in fragments.values():
        if not texts or not texts[0].startswith(b"S"):
            continue
        lines, current = bytearray(), b""
        for text in texts:
            current += text
            if CHAT_LINE.fullmatch(current):
                lines += current + b"\n"
                current = b""
        heard[int(texts[0][1:].split(b" ")[0])] = bytes(lines + current)
    return heard


class Peer:
    def __init__(self, sock, role, number, outgoing=b""):
        self.sock, self.role, self.number = sock, role, number
        self.outgoing, self.sent = outgoing, 0
        self.received = bytearray()
        self.open = True
        # What the broker passes on of what it sent: what it owes every other peer.
        self.owed = 0


# The broker drops a peer more than 1 MiB behind (SPEC.md). One Python thread reading for
# 150 peers can itself fall that far behind on some of them when starved of CPU, so the writers
# of the storm are paced: a write waits until every peer that reads is owed less than WINDOW,
# whatever the scheduling. Leavers' bytes lost as they leave stay owed, so WINDOW is more than
# all the leavers send (leave_after: 780 KiB for the 16 leavers of the broker's storm).
STORM_WINDOW = 896 * 1024


def owed_for(data, prefix):
    """What the broker passes on for DATA, counted high: in chat, each line gets a PREFIX-long
    "<userN> ", and the line may be cut by another user's text twice more (a newline each)."""
    return len(data) + ((prefix + 1) * (data.count(b"\n") + 2) if prefix else 0)


def drain(peer):
    """Reads all PEER holds (bounded); False once it is closed."""
    for _ in range(64):
        try:
            chunk = peer.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            chunk = b""
        if not chunk:
            return False
        peer.received += chunk
    return True


def storm(port, readers, silent, senders, leavers, size, chat):
    peers = []
    for number in range(readers):
        peers.append(Peer(connect(port), "reader", number))
    for number in range(silent):
        peers.append(Peer(connect(port, receive_buffer=4096), "silent", number))
    datas = [sender_data(s, size, chat) for s in range(senders)]
    for s in range(senders):
        peers.append(Peer(connect(port), "sender", s, datas[s]))
    for number in range(leavers):
        junk = (b"L%d " % number + b"x" * 200 + b"\n") * 1000 if chat else bytes(range(128, 256)) * 2000
        peers.append(Peer(connect(port), "leaver", number, junk))
    print("CONNECTED", len(peers), flush=True)
    sys.stdin.readline()
    # Received before the storm (chat's announcements of the joins): not owed by any writer.
    for peer in peers:
        peer.sock.setblocking(False)
        if peer.role != "silent":
            drain(peer)
    already = {id(peer): len(peer.received) for peer in peers}
    selector = selectors.DefaultSelector()
    for peer in peers:
        if peer.role != "silent":
            selector.register(peer.sock, selectors.EVENT_READ, peer)
    writers = [peer for peer in peers if peer.outgoing]
    prefix = len(b"<user%d> " % len(peers)) if chat else 0
    # A leaver leaves once it sent this many bytes, mid-write.
    leave_after = {peer.number: random.Random(1000 + peer.number).randrange(1000, 100000)
                   for peer in peers if peer.role == "leaver"}
    deadline = time.monotonic() + 120
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        owed_by_all = sum(writer.owed for writer in writers)
        behind = max((owed_by_all - peer.owed - (len(peer.received) - already[id(peer)])
                      for peer in peers if peer.open and peer.role != "silent"), default=0)
        room = STORM_WINDOW - behind
        for writer in writers:
            if writer.open and writer.sent < len(writer.outgoing):
                wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if room > 0 else 0)
                if selector.get_key(writer.sock).events != wanted:
                    selector.modify(writer.sock, wanted, writer)
        events = selector.select(0.5)
        if not events and time.monotonic() - quiet_since > 3:
            break
        if events:
            quiet_since = time.monotonic()
        # Reads first, and all a peer holds, so that no reader lags for the writes.
        for key, mask in events:
            peer = key.data
            if mask & selectors.EVENT_READ and not drain(peer):
                selector.unregister(peer.sock)
                peer.open = False
        for key, mask in events:
            peer = key.data
            if not (mask & selectors.EVENT_WRITE and peer.open and room > 0):
                continue
            end = len(peer.outgoing) if peer.role != "leaver" else leave_after[peer.number]
            piece = peer.outgoing[peer.sent: min(end, peer.sent + 65536, peer.sent + room)]
            piece = piece[: max(0, room - (owed_for(piece, prefix) - len(piece)))]  # chat prefixes fit too
            try:
                count = peer.sock.send(piece)
            except (BlockingIOError, InterruptedError):
                count = 0
            except OSError:
                count = len(peer.outgoing) - peer.sent
            peer.owed += owed_for(piece[:count], prefix)
            room -= owed_for(piece[:count], prefix)
            peer.sent += count
            if peer.role == "leaver" and peer.sent >= end:
                selector.unregister(peer.sock)
                (reset if peer.number % 2 else socket.socket.close)(peer.sock)
                peer.open = False
            elif peer.sent >= len(peer.outgoing):
                selector.modify(peer.sock, selectors.EVENT_READ, peer)
    exact = {"reader": 0, "sender": 0}
    # Every byte value but sender s's alphabet, to delete from what a peer received.
    others = [bytes(b for b in range(256) if b >> 5 != s) for s in range(senders)]
    for peer in peers:
        if peer.role not in exact:
            continue
        wanted = [s for s in range(senders) if not (peer.role == "sender" and s == peer.number)]
        if chat:
            good = all(chat_lines(peer.received).get(s) == datas[s] for s in wanted)
        else:
            received = bytes(peer.received)
            good = all(received.translate(None, others[s]) == datas[s] for s in wanted)
        if good:
            exact[peer.role] += 1
        elif os.environ.get("STORM_DEBUG"):
            print("BAD", peer.role, peer.number, len(peer.received), file=sys.stderr)
    print("READERS %d/%d" % (exact["reader"], readers))
    print("SENDERS %d/%d" % (exact["sender"], senders), flush=True)
    for peer in peers:
        if peer.open:
            peer.sock.close()


def client_hello():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def tls_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def wait_closed(sock):
    data, end = read_to_end(sock)
    print("CLOSED", flush=True)


def connect_and_tell(port):
    sock = connect(port)
    print("LOCAL", sock.getsockname()[1], flush=True)
    return sock


def tls_step(port, step, argument):
    connect = connect_and_tell
    if step == "plaintext":
        sock = connect(port)
        sock.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        wait_closed(sock)
    elif step == "random":
        sock = connect(port)
        try:
            sock.sendall(os.urandom(4096))
        except OSError:
            pass
        wait_closed(sock)
    elif step == "truncated-hello":
        sock = connect(port)
        hello = client_hello()
        sock.sendall(hello[: len(hello) // 2])
        sock.shutdown(socket.SHUT_WR)
        wait_closed(sock)
    elif step == "stall":
        sock = connect(port)
        hello = client_hello()
        sock.sendall(hello[: len(hello) // 2])
        print("STALLING", flush=True)
        sys.stdin.read()
        sock.close()
    elif step == "reset-mid-record":
        raw = connect(port)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = tls_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                raw.sendall(outgoing.read())
                chunk = raw.recv(65536)
                if not chunk:
                    print("HANDSHAKE FAILED", flush=True)
                    return
                incoming.write(chunk)
        raw.sendall(outgoing.read())
        tls.write(b"r" * 10000)
        record = outgoing.read()
        raw.sendall(record[: len(record) // 2])
        time.sleep(0.2)
        reset(raw)
        print("RESET", flush=True)
    elif step == "echo":
        size = int(argument)
        print("ECHO", size, "exact" if tls_echo(port, os.urandom(size)) else "wrong", flush=True)


def tls_echo(port, payload, half_close=True):
    with tls_context().wrap_socket(connect(port), server_hostname="localhost") as sock:
        received = bytearray()
        sent = 0
        sock.setblocking(False)
        deadline = time.monotonic() + TIMEOUT
        while len(received) < len(payload) and time.monotonic() < deadline:
            wanted_write = [sock] if sent < len(payload) else []
            readable, writable, _ = select.select([sock], wanted_write, [], 0.5)
            try:
                if writable:
                    sent += sock.send(payload[sent: sent + 16384])
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return bytes(received) == payload
                    received += chunk
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
        return bytes(received) == payload


def transfer(port, size, ending):
    """One connection to an echo-like role: sends SIZE random bytes, expects them back."""
    payload = os.urandom(size)
    sock = connect(port)
    if ending == "reset":
        sock.sendall(payload[: size // 2])
        reset(sock)
        return None
    received = bytearray()
    sock.setblocking(False)
    sent, deadline = 0, time.monotonic() + TIMEOUT
    if size == 0:
        sock.shutdown(socket.SHUT_WR)  # nothing to send: the end of file is all
    while time.monotonic() < deadline:
        readable, writable, _ = select.select([sock], [sock] if sent < size else [], [], 0.5)
        if writable:
            sent += sock.send(payload[sent: sent + 65536])
            if sent == size:
                sock.shutdown(socket.SHUT_WR)
        if readable:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    sock.close()
    return bytes(received) == payload


def soak(port, role, seconds):
    end = time.monotonic() + seconds
    counts = {"exact": 0, "wrong": 0}
    lock = threading.Lock()

    def worker(seed):
        rng = random.Random(seed)
        while time.monotonic() < end:
            size = rng.choice([0, 1, rng.randrange(1, 65536), rng.randrange(1, 1 << 20)])
            ending = "reset" if rng.random() < 0.25 else "half-close"
            if role == "tls":
                if ending == "reset":
                    sock = connect(port)
                    sock.sendall(client_hello()[:50])
                    reset(sock)
                    result = None
                else:
                    result = tls_echo(port, os.urandom(size))
            else:
                result = transfer(port, size, ending)
            if result is not None:
                with lock:
                    counts["exact" if result else "wrong"] += 1

    def broker_rounds(seed):
        rng = random.Random(seed)
        while time.monotonic() < end:
            reader, writer = connect(port), connect(port)
            size = rng.randrange(1, 1 << 20)
            payload = os.urandom(size)
            time.sleep(0.05)  # both accepted before the first byte (the broker accepts in turn)
            threading.Thread(target=writer.sendall, args=(payload,), daemon=True).start()
            data, _ = read_to_end(reader, size)
            with lock:
                counts["exact" if data[:size] == payload else "wrong"] += 1
            (reset if rng.random() < 0.5 else socket.socket.close)(writer)
            (reset if rng.random() < 0.5 else socket.socket.close)(reader)

    target = broker_rounds if role == "broker" else worker
    threads = [threading.Thread(target=target, args=(seed,)) for seed in range(1 if role == "broker" else 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("TRANSFERS %d exact %d wrong" % (counts["exact"], counts["wrong"]), flush=True)


command, port = sys.argv[1], int(sys.argv[2])
if command == "exec":
    exec_peer(port, sys.argv[3])
elif command == "sequential":
    sequential(port, int(sys.argv[3]))
elif command == "storm":
    storm(port, *map(int, sys.argv[3:8]), chat=sys.argv[8:] == ["chat"])
elif command == "tls":
    tls_step(port, sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
elif command == "soak":
    soak(port, sys.argv[3], float(sys.argv[4]))
