# One stream peer for the byte-exact transfer tests: sends a file and/or hashes what it
# receives, at the same time, and reports "RECEIVED <bytes> <sha256>" (and "SENT <bytes>").
#
#   load_stream_peer.py serve-tcp [options]          listen on 127.0.0.1, print "READY <port>"
#   load_stream_peer.py serve-unix PATH [options]     listen on PATH, print "READY 0"
#   load_stream_peer.py connect-tcp PORT [options]    connect to 127.0.0.1 PORT
#   load_stream_peer.py connect-unix PATH [options]   connect to PATH
#   load_stream_peer.py hash-stdin [options]          hash standard input
# options: --send FILE (then shut down sending), --pause-every BYTES --pause-ms MS (a slow reader),
#          --half-close-last (with --send: shut down sending only once the other side's end of
#          file arrived, since swnc ends when its peer's data ends)
import argparse
import hashlib
import os
import socket
import sys
import threading
import time

from load_report import report

parser = argparse.ArgumentParser()
parser.add_argument("mode")
parser.add_argument("target", nargs="?")
parser.add_argument("--send")
parser.add_argument("--pause-every", type=int, default=0)
parser.add_argument("--pause-ms", type=float, default=0)
parser.add_argument("--half-close-last", action="store_true")
arguments = parser.parse_args()


def receive_and_hash(read_into):
    digest = hashlib.sha256()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    total = 0
    since_pause = 0
    while True:
        count = read_into(view)
        if not count:
            break
        digest.update(view[:count])
        total += count
        since_pause += count
        if arguments.pause_every and since_pause >= arguments.pause_every:
            since_pause = 0
            time.sleep(arguments.pause_ms / 1000)
    report("RECEIVED", total, digest.hexdigest())


def send_file(connection):
    with open(arguments.send, "rb") as source:
        sent = connection.sendfile(source)
    if not arguments.half_close_last:
        connection.shutdown(socket.SHUT_WR)
    report("SENT", sent)


def serve(connection):
    connection.settimeout(120)
    sender = None
    if arguments.send:
        sender = threading.Thread(target=send_file, args=(connection,))
        sender.start()
    receive_and_hash(connection.recv_into)
    if sender:
        sender.join()
        if arguments.half_close_last:
            connection.shutdown(socket.SHUT_WR)
    connection.close()


if arguments.mode == "hash-stdin":
    receive_and_hash(lambda view: os.readv(0, [view]))
elif arguments.mode.startswith("serve-"):
    family = socket.AF_UNIX if arguments.mode == "serve-unix" else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind(arguments.target if family == socket.AF_UNIX else ("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(60)
    report("READY", 0 if family == socket.AF_UNIX else server.getsockname()[1])
    connection, _ = server.accept()
    server.close()
    serve(connection)
else:
    if arguments.mode == "connect-unix":
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(arguments.target)
    else:
        connection = socket.create_connection(("127.0.0.1", int(arguments.target)))
    serve(connection)
