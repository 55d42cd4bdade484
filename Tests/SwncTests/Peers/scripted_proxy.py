# A scripted proxy for the end-to-end proxy tests: scripted_proxy.py MODE
#
# Listens on 127.0.0.1 port 0, prints "READY <port>", accepts one client and reads its handshake
# (SOCKS4/4a, SOCKS5 with or without RFC 1929 authentication, or HTTP CONNECT, told apart by the
# first byte), logs the handshake bytes to stderr as one hex line, and answers as MODE says:
#   socks5-ok, socks4-ok, connect-ok  the success reply, then a tunnel (below)
#   socks5-ok-then-data  the reply and "early\n" in the same send, then the tunnel
#   one-byte-at-a-time   the success reply (SOCKS5's) one byte per send, 10 ms apart, then the tunnel
#   truncated            half the success reply, then silence until the client leaves
#   close-mid-reply      half the success reply, then close
#   wrong-version        a SOCKS5 method selection of version 4
#   unknown-atyp         a SOCKS5 reply with address type 7
#   huge-domain-length   a SOCKS5 reply announcing a 255-byte BND.ADDR name, 16 bytes of it, close
#   socks5-refused       SOCKS5 reply 5 (connection refused)
#   no-status-end        an HTTP status line without end (20 KiB, no CR LF), then silence
#   huge-header          HTTP 200, then 1 MB of header lines
#   connect-407          HTTP 407 Proxy Authentication Required
# The tunnel connects to the destination the client asked for (127.0.0.1, ::1 or localhost only)
# and relays both ways until both sides have closed.
import select
import socket
import struct
import sys
import time

MODES = ["socks5-ok", "socks4-ok", "connect-ok", "socks5-ok-then-data", "one-byte-at-a-time", "truncated",
         "close-mid-reply", "wrong-version", "unknown-atyp", "huge-domain-length", "socks5-refused",
         "no-status-end", "huge-header", "connect-407"]
SUCCESS = {
    "socks5": b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00",
    "socks4": b"\x00\x5a\x00\x00\x00\x00\x00\x00",
    "http": b"HTTP/1.0 200 Connection established\r\n\r\n",
}
LOCAL = ("127.0.0.1", "::1", "localhost")


class Client:
    """The accepted connection, keeping every byte the handshake read."""

    def __init__(self, conn):
        self.conn = conn
        self.log = bytearray()

    def read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.conn.recv(count - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        self.log += data
        return data

    def read_until(self, end):
        data = b""
        while not data.endswith(end):
            data += self.read(1)
        return data


def socks5_request(client, mode):
    """Method selection, authentication when offered, the request: (host, port), or None."""
    methods = client.read(client.read(1)[0])
    if mode == "wrong-version":
        client.conn.sendall(b"\x04\x00")
        return None
    method = 2 if 2 in methods else 0
    client.conn.sendall(bytes([5, method]))
    if method == 2:
        client.read(1)
        client.read(client.read(1)[0])  # user
        client.read(client.read(1)[0])  # password
        client.conn.sendall(b"\x01\x00")
    atyp = client.read(4)[3]
    if atyp == 1:
        host = socket.inet_ntop(socket.AF_INET, client.read(4))
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, client.read(16))
    else:
        host = client.read(client.read(1)[0]).decode()
    return host, struct.unpack(">H", client.read(2))[0]


def socks4_request(client):
    _, port, address = struct.unpack(">BH4s", client.read(7))
    client.read_until(b"\0")  # user id
    if address[:3] == b"\0\0\0" and address[3] != 0:  # SOCKS4a: the name follows
        return client.read_until(b"\0")[:-1].decode(), port
    return socket.inet_ntoa(address), port


def connect_request(client):
    request_line = client.read_until(b"\r\n\r\n").split(b"\r\n")[0].decode()
    host, port = request_line.split(" ")[1].rsplit(":", 1)
    return host.strip("[]"), int(port)


def relay(a, b):
    """Copies both ways; a side's end of file is passed on as a shutdown of sending."""
    partner = {a: b, b: a}
    while partner:
        readable, _, _ = select.select(list(partner), [], [], 30)
        if not readable:
            return
        for side in readable:
            try:
                data = side.recv(65536)
            except OSError:
                data = b""
            try:
                if data:
                    partner[side].sendall(data)
                else:
                    partner[side].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if not data:
                del partner[side]


def tunnel(conn, destination):
    host, port = destination
    if host in LOCAL:
        with socket.create_connection((host, port), timeout=20) as upstream:
            relay(conn, upstream)


def wait_for_close(conn):
    while conn.recv(65536):
        pass


def answer(conn, protocol, destination, mode):
    ok = SUCCESS[protocol]
    if mode in ("socks5-ok", "socks4-ok", "connect-ok"):
        conn.sendall(ok)
        tunnel(conn, destination)
    elif mode == "socks5-ok-then-data":
        conn.sendall(ok + b"early\n")
        tunnel(conn, destination)
    elif mode == "one-byte-at-a-time":
        for byte in ok:
            conn.send(bytes([byte]))
            time.sleep(0.01)
        tunnel(conn, destination)
    elif mode == "truncated":
        conn.sendall(ok[: len(ok) // 2])
        wait_for_close(conn)
    elif mode == "close-mid-reply":
        conn.sendall(ok[: len(ok) // 2])
    elif mode == "unknown-atyp":
        conn.sendall(b"\x05\x00\x00\x07" + bytes(6))
    elif mode == "huge-domain-length":
        conn.sendall(b"\x05\x00\x00\x03\xff" + b"a" * 16)
    elif mode == "socks5-refused":
        conn.sendall(b"\x05\x05\x00\x01" + bytes(6))
    elif mode == "no-status-end":
        conn.sendall(b"HTTP/1.0 200 OK" + b"x" * 20480)
        wait_for_close(conn)
    elif mode == "huge-header":
        line = b"X-Filler: " + b"x" * 90 + b"\r\n"
        conn.sendall(b"HTTP/1.0 200 OK\r\n" + line * ((1 << 20) // len(line)) + b"\r\n")
    elif mode == "connect-407":
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                     b"Proxy-Authenticate: Basic realm=\"swnc\"\r\n\r\n")


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit("usage: scripted_proxy.py " + "|".join(MODES))
    mode = sys.argv[1]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(20)
    print("READY", server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    conn.settimeout(20)
    client = Client(conn)
    destination = None
    try:
        first = client.read(1)
        if first == b"\x05":
            protocol, destination = "socks5", socks5_request(client, mode)
        elif first == b"\x04":
            protocol, destination = "socks4", socks4_request(client)
        else:
            protocol, destination = "http", connect_request(client)
    except (EOFError, OSError):
        pass
    print(client.log.hex(), file=sys.stderr, flush=True)
    try:
        if destination is not None:
            answer(conn, protocol, destination, mode)
    except OSError:
        pass  # the client left, as it should after a hostile reply
    conn.close()


main()
