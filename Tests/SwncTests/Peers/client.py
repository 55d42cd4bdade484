# The cheatsheet's clients (TCP, UDP, UNIX stream and datagram), driven by steps given as
# arguments, to talk to swnc's servers:
#   client.py [--clients N] tcp|udp HOST PORT STEP...      client.py [--clients N] unix|unixgram PATH STEP...
# A step is "send:TEXT" (sends TEXT and a newline) or "expect:TEXT" (receives exactly TEXT and
# a newline; for datagrams, one datagram). "{client}" in TEXT is the connection's number.
# With --clients N, N connections are opened first and every step is done on each of them
# in turn, so their lines interleave. At the end a stream connection shuts down its sending
# side and must then see end of file with nothing more. Prints "DONE" and exits 0 when every
# step went as expected; exits 1 (saying why) otherwise.
import socket
import sys

TIMEOUT = 20
arguments = sys.argv[1:]
clients = 1
if arguments[0] == "--clients":
    clients = int(arguments[1])
    arguments = arguments[2:]
kind = arguments[0]
if kind in ("tcp", "udp"):
    target = (arguments[1], int(arguments[2]))
    steps = arguments[3:]
    family = socket.getaddrinfo(target[0], target[1])[0][0]
else:
    target = arguments[1]
    steps = arguments[2:]
    family = socket.AF_UNIX
datagram = kind in ("udp", "unixgram")


def connect():
    sock = socket.socket(family, socket.SOCK_DGRAM if datagram else socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    if kind == "unixgram":
        sock.bind("")  # an automatic (abstract) address, so that replies can reach us
    sock.connect(target)
    return sock


def receive_exactly(sock, count):
    if datagram:
        return sock.recv(65536)
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            break
        data += chunk
    return data


connections = [connect() for _ in range(clients)]
for step in steps:
    action, _, text = step.partition(":")
    for number, sock in enumerate(connections, start=1):
        payload = (text.replace("{client}", str(number)) + "\n").encode()
        if action == "send":
            sock.sendall(payload)
        elif action == "expect":
            received = receive_exactly(sock, len(payload))
            if received != payload:
                sys.exit(f"client {number}: expected {payload!r}, got {received!r}")
            print("GOT", received.decode().rstrip("\n"), flush=True)
        else:
            sys.exit(f"unknown step {step!r}")
for number, sock in enumerate(connections, start=1):
    if not datagram:
        sock.shutdown(socket.SHUT_WR)
        rest = sock.recv(65536)
        if rest:
            sys.exit(f"client {number}: expected end of file, got {rest!r}")
    sock.close()
print("DONE", flush=True)
