# Clients for an echo server that is out of descriptors. Opens N connections (the kernel
# completes them all; the server can accept only some), then, step by step:
#   "SERVED k"   k connections got their first line echoed within 3 s (the rest are waiting)
#   "AGAIN k"    the served connections still echo a second line while the server is full
#   then waits for a line on stdin, closes the served connections, and
#   "LATE k"     k of the waiting connections got their echo within 10 s
#   fault_fd_exhaustion.py PORT N
import selectors
import socket
import sys
import time

from load_report import report

port, count = int(sys.argv[1]), int(sys.argv[2])


def await_echoes(expected_lines, seconds):
    """expected_lines: {connection: (index, line)}; returns [(index, connection)] of those
    whose line came back within seconds."""
    selector = selectors.DefaultSelector()
    received = {connection: b"" for connection in expected_lines}
    for connection in expected_lines:
        selector.register(connection, selectors.EVENT_READ)
    echoed = []
    deadline = time.monotonic() + seconds
    while received and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.1):
            connection = key.fileobj
            index, line = expected_lines[connection]
            received[connection] += connection.recv(100)
            if received[connection] == line:
                echoed.append((index, connection))
                selector.unregister(connection)
                del received[connection]
            elif not line.startswith(received[connection]):
                raise SystemExit("corrupted echo on connection %d: %r" % (index, received[connection]))
    selector.close()
    return echoed


def echo_round(connections, tag, seconds):
    """Sends one line on each connection; returns those whose echo came back within seconds."""
    expected_lines = {}
    for index, connection in connections:
        expected_lines[connection] = (index, b"%s %d\n" % (tag, index))
        connection.sendall(expected_lines[connection][1])
    return await_echoes(expected_lines, seconds)


connections = []
for index in range(count):
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.setblocking(False)
    connections.append((index, connection))
served = echo_round(connections, b"first", 3)
report("SERVED", len(served))
report("AGAIN", len(echo_round(served, b"again", 3)))
sys.stdin.readline()
for _, connection in served:
    connection.close()
served_indexes = {index for index, _ in served}
# The waiting connections' first lines are already queued: their echoes come once accepted.
waiting = {connection: (index, b"first %d\n" % index) for index, connection in connections if index not in served_indexes}
report("LATE", len(await_echoes(waiting, 10)), len(waiting))
