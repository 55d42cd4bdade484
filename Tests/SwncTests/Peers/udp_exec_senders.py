"""Two UDP senders to a `swnc -kul -c 'echo $$; exec cat'` server: each gets its own child
(a different pid first), and each datagram back whole. Prints `pids differ` and the sizes."""
import socket
import sys

port = int(sys.argv[1])
sizes = [int(size) for size in sys.argv[2:]]
senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
pids = []
echoed = []
for number, sender in enumerate(senders):
    sender.settimeout(5)
    sender.connect(("127.0.0.1", port))
    for size in sizes:
        sender.send(bytes([65 + number]) * size)
    pid = sender.recv(65536)  # the child's first write: its pid
    pids.append(pid)
    for size in sizes:
        reply = sender.recv(65536)
        echoed.append(len(reply) if reply == bytes([65 + number]) * size else -1)
print("pids differ" if pids[0] != pids[1] and all(p.strip().isdigit() for p in pids) else f"pids {pids}")
print(" ".join(map(str, echoed)))
