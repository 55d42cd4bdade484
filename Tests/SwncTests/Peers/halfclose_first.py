# A peer that greets, half-closes (shutdown SHUT_WR) first and goes on reading: it prints
# everything it received once the other side closes.
# Usage: halfclose_first.py server|client tcp PORT|unix PATH   (a server on port 0 prints READY PORT)
import socket
import sys

role, kind, where = sys.argv[1], sys.argv[2], sys.argv[3]
family = socket.AF_INET if kind == "tcp" else socket.AF_UNIX
address = ("127.0.0.1", int(where)) if kind == "tcp" else where
if role == "server":
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(1)
    print("READY", listener.getsockname()[1] if kind == "tcp" else where, flush=True)
    listener.settimeout(10)
    connection, _ = listener.accept()
else:
    connection = socket.socket(family, socket.SOCK_STREAM)
    connection.connect(address)
connection.settimeout(10)
connection.sendall(b"hi\n")
connection.shutdown(socket.SHUT_WR)
received = b""
while chunk := connection.recv(65536):
    received += chunk
sys.stdout.write(received.decode())
