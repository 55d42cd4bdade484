# A TCP server that reads slowly: prints "READY <port>", takes one connection, reads at about
# RATE bytes a second (default 2 MiB) until end of file, then prints "READ <total bytes>". Its
# small receive buffer keeps a sender waiting, so that a transfer lasts seconds.
import socket
import sys
import time

rate = int(sys.argv[1]) if len(sys.argv) > 1 else 2 << 20
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("READY", server.getsockname()[1], flush=True)
connection, _ = server.accept()
connection.settimeout(60)
total = 0
while True:
    data = connection.recv(65536)
    if not data:
        break
    total += len(data)
    time.sleep(len(data) / rate)
print("READ", total, flush=True)
