# Stream peers that misbehave, for the fault tests.
#
#   fault_stream_peer.py reset-after BYTES       listen (prints "READY <port>"), read BYTES from the
#                                                 first connection, then reset it (SO_LINGER 0)
#   fault_stream_peer.py connect-reset PORT BYTES connect to 127.0.0.1 PORT, read BYTES, reset
#   fault_stream_peer.py send-close FILE          listen, send FILE to the first connection without
#                                                 reading anything, close; prints "SENT <bytes>"
#   fault_stream_peer.py flood-close PORT         connect to 127.0.0.1 PORT, send without ever
#                                                 reading until the server stops taking bytes (or
#                                                 64 MiB went in: a server that queues without
#                                                 bound), print "FLOODED <bytes>", wait for a line
#                                                 on stdin, then reset
import socket
import struct
import sys
import time

from load_report import report

mode = sys.argv[1]


def reset(connection):
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def accept_one():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(30)
    report("READY", server.getsockname()[1])
    connection, _ = server.accept()
    connection.settimeout(30)
    return connection


def read_then_reset(connection, wanted):
    received = 0
    while received < wanted:
        chunk = connection.recv(min(65536, wanted - received))
        if not chunk:
            break
        received += len(chunk)
    reset(connection)
    report("RESET", received)


if mode == "reset-after":
    read_then_reset(accept_one(), int(sys.argv[2]))
elif mode == "connect-reset":
    read_then_reset(socket.create_connection(("127.0.0.1", int(sys.argv[2]))), int(sys.argv[3]))
elif mode == "send-close":
    connection = accept_one()
    sent = 0
    try:
        with open(sys.argv[2], "rb") as source:
            sent = connection.sendfile(source)
    except OSError:
        pass
    connection.close()
    report("SENT", sent)
elif mode == "flood-close":
    connection = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    connection.setblocking(False)
    chunk = bytes(65536)
    flooded, last_progress = 0, time.monotonic()
    while time.monotonic() - last_progress < 1 and flooded < 64 << 20:
        try:
            flooded += connection.send(chunk)
            last_progress = time.monotonic()
        except BlockingIOError:
            time.sleep(0.01)
    report("FLOODED", flooded)
    sys.stdin.readline()
    reset(connection)
    report("RESET")
