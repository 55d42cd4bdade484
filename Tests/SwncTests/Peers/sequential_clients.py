# COUNT sequential TCP clients of 127.0.0.1 PORT, each sending "x\n", half-closing and reading
# to end of file; prints "DONE COUNT" when all were served.
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
for number in range(count):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as peer:
        peer.sendall(b"x\n")
        peer.shutdown(socket.SHUT_WR)
        while peer.recv(65536):
            pass
print("DONE", count, flush=True)
