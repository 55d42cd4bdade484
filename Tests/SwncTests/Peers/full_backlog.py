# A TCP listener whose accept queue is full and never drained: the kernel drops every further
# SYN, so a connect to it hangs until the client's own timeout. Stays up until killed.
import select
import socket
import time

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(0)
port = server.getsockname()[1]

fillers = []
for _ in range(64):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setblocking(False)
    client.connect_ex(("127.0.0.1", port))
    fillers.append(client)
    _, writable, _ = select.select([], [client], [], 0.3)
    if not writable:
        break  # this connect hangs: the queue is full
else:
    raise SystemExit("the accept queue never filled up")

print("READY", port, flush=True)
time.sleep(120)
