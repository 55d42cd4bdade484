# The receiving side of the cheatsheet's "UDP sender": prints each datagram it gets, one
# line each, as "GOT <hex>" (so that any bytes show, and datagram boundaries too).
# Exits after as many datagrams as the first argument says, or after 20 quiet seconds.
import socket
import sys

count = int(sys.argv[1])
receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
receiver.bind(("127.0.0.1", 0))
receiver.settimeout(20)
print("READY", receiver.getsockname()[1], flush=True)
for _ in range(count):
    data, sender = receiver.recvfrom(65535)
    print("GOT", data.hex(), flush=True)
receiver.close()
