# Peers of swnc's exec role (-e / -c):
#   exec_peer.py talk PORT TEXT [--keep-sending]  connect to 127.0.0.1 PORT, print "LOCAL <port>" on
#       stderr, send TEXT, shut down sending (unless --keep-sending), read to end of file, write
#       what came to stdout and "EOF <seconds since connecting>" to stderr
#   exec_peer.py reset PORT SECONDS                connect, wait SECONDS, leave with a reset (RST)
#   exec_peer.py sequential PORT COUNT TEXT        COUNT connections one after another, each must
#       receive exactly TEXT and end of file; prints "OK COUNT"
#   exec_peer.py datagrams PORT SIZE...            send a UDP datagram of each SIZE, then receive as
#       many; prints the sizes received
#   exec_peer.py serve-once                        listen (prints "READY <port>"), send "ping\n",
#       print the line that comes back, close
import socket
import struct
import sys
import time

TIMEOUT = 20


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    return sock


def read_to_end(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


command = sys.argv[1]
if command == "talk":
    started = time.monotonic()
    sock = connect(int(sys.argv[2]))
    print("LOCAL", sock.getsockname()[1], file=sys.stderr, flush=True)
    sock.sendall(sys.argv[3].encode())
    if "--keep-sending" not in sys.argv:
        sock.shutdown(socket.SHUT_WR)
    sys.stdout.buffer.write(read_to_end(sock))
    sys.stdout.flush()
    print("EOF %.2f" % (time.monotonic() - started), file=sys.stderr, flush=True)
elif command == "reset":
    sock = connect(int(sys.argv[2]))
    time.sleep(float(sys.argv[3]))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    print("RESET", flush=True)
elif command == "sequential":
    port, count, expected = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
    for number in range(count):
        sock = connect(port)
        data = read_to_end(sock)
        sock.close()
        if data != expected:
            sys.exit("connection %d got %r" % (number + 1, data))
    print("OK", count, flush=True)
elif command == "datagrams":
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(TIMEOUT)
    sock.connect(("127.0.0.1", int(sys.argv[2])))
    sizes = [int(size) for size in sys.argv[3:]]
    for number, size in enumerate(sizes):
        sock.send(bytes([ord("a") + number]) * size)
    print(" ".join(str(len(sock.recv(65536))) for _ in sizes), flush=True)
elif command == "serve-once":
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(TIMEOUT)
    print("READY", server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    conn.settimeout(TIMEOUT)
    conn.sendall(b"ping\n")
    line = b""
    while not line.endswith(b"\n"):
        chunk = conn.recv(1)
        if not chunk:
            break
        line += chunk
    print("GOT", line.decode().rstrip("\n"), flush=True)
    conn.close()
else:
    sys.exit("unknown command " + command)
