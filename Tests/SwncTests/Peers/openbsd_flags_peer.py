# Peers for the OpenBSD netcat compatibility tests. Each listening mode prints "READY <port>"
# once it listens on 127.0.0.1 and serves one connection (or datagrams), then exits.
#   record-tcp           prints "T <seconds> <hex>" for each recv, then "EOF"
#   record-udp COUNT     prints "D <tos> <ttl> <hex>" for each of COUNT datagrams (IP_RECVTOS/TTL)
#   telnet split|whole   sends data with IAC DO ECHO and IAC WILL SGA (split across sends, or in
#                        one send), prints "ANSWERS <hex>" of what came back
#   reply                reads to end of file, then sends "imok" and closes
#   reset                sends "data", then resets the connection (SO_LINGER 0)
#   flood                sends 4 MB (until the client goes away)
#   hold                 accepts, keeps the connection 5 s
#   named-port           listens on a port that has a service name, accepts for 10 s
#   minttl-client PORT TTL   connects with that TTL; prints "CONNECTED" or "TIMEOUT"
#   send-udp PORT COUNT  sends COUNT datagrams "d0", "d1", ... from one socket
import socket
import struct
import sys
import time

TIMEOUT = 10
mode = sys.argv[1]


def listener(port=0):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(4)
    server.settimeout(TIMEOUT)
    return server


def ready(sock):
    print("READY", sock.getsockname()[1], flush=True)


def accept(server):
    conn, _ = server.accept()
    conn.settimeout(TIMEOUT)
    return conn


if mode == "record-tcp":
    server = listener()
    ready(server)
    conn = accept(server)
    start = time.monotonic()
    while True:
        data = conn.recv(65536)
        if not data:
            break
        print("T %.3f %s" % (time.monotonic() - start, data.hex()), flush=True)
    print("EOF", flush=True)
elif mode == "record-udp":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
    sock.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(TIMEOUT)
    ready(sock)
    for _ in range(int(sys.argv[2])):
        data, ancillary, _, _ = sock.recvmsg(65536, 256)
        tos = ttl = -1
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IP and kind == socket.IP_TOS:
                tos = value[0]
            elif level == socket.IPPROTO_IP and kind == socket.IP_TTL:  # Linux sends IP_TTL for IP_RECVTTL
                ttl = struct.unpack("i", value[:4])[0]
        print("D %d %d %s" % (tos, ttl, data.hex()), flush=True)
elif mode == "telnet":
    server = listener()
    ready(server)
    conn = accept(server)
    # IAC DO ECHO split after IAC; IAC WILL SUPPRESS-GO-AHEAD split after WILL; IAC IAC is a 255.
    pieces = [b"hel\xff", b"\xfd\x01lo\xff\xfb", b"\x03 wor\xff\xffld\n"]
    if sys.argv[2] == "whole":
        pieces = [b"hel\xff\xfd\x01lo\xff\xfb\x03 world\n"]
    for piece in pieces:
        conn.sendall(piece)
        time.sleep(0.2)
    conn.shutdown(socket.SHUT_WR)
    answers = b""
    conn.settimeout(2)
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            answers += data
    except socket.timeout:
        pass
    print("ANSWERS", answers.hex(), flush=True)
elif mode == "reply":
    server = listener()
    ready(server)
    conn = accept(server)
    while conn.recv(4096):
        pass
    conn.sendall(b"imok")
    conn.close()
elif mode == "reset":
    server = listener()
    ready(server)
    conn = accept(server)
    conn.sendall(b"data")
    time.sleep(0.3)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
elif mode == "flood":
    server = listener()
    ready(server)
    conn = accept(server)
    try:
        for _ in range(64):
            conn.sendall(b"x" * 65536)
    except OSError:
        pass
elif mode == "hold":
    server = listener()
    ready(server)
    conn = accept(server)
    time.sleep(5)
elif mode == "named-port":
    server = None
    for port in [8080, 3306, 5432, 6000, 8008, 8081, 5900, 1080, 3128, 9418, 2049, 11211]:
        try:
            server = listener(port)
            break
        except OSError:
            continue
    ready(server)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            accept(server).close()
        except socket.timeout:
            break
elif mode == "minttl-client":
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(sys.argv[3]))
    client.settimeout(1.5)
    try:
        client.connect(("127.0.0.1", int(sys.argv[2])))
        print("CONNECTED", flush=True)
    except socket.timeout:
        print("TIMEOUT", flush=True)
elif mode == "send-udp":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for index in range(int(sys.argv[3])):
        sock.sendto(b"d%d" % index, ("127.0.0.1", int(sys.argv[2])))
        time.sleep(0.1)
