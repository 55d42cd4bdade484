# Visits a `swnc -lk` listener with peers that go away badly, each followed by checks of the
# listener's survival. Usage: listener_visitors.py tcp PORT|unix PATH ACTION...
#   reset         connect, then reset (SO_LINGER 0; a UNIX socket closes with bytes unread)
#   leave         connect, read 5 bytes of what swnc sends, close without reading more
#   queued-reset  hold one peer open while a second connects and resets in the backlog, then
#                 reset the first
#   serve:TAG     connect, read what swnc sends (to its end, or 64 KiB when it never ends),
#                 send TAG and a newline, close; prints "SERVED TAG <bytes received>"
import socket
import struct
import sys
import time

kind, where = sys.argv[1], sys.argv[2]


def connect():
    family = socket.AF_INET if kind == "tcp" else socket.AF_UNIX
    peer = socket.socket(family, socket.SOCK_STREAM)
    peer.settimeout(10)
    peer.connect(("127.0.0.1", int(where)) if kind == "tcp" else where)
    return peer


def reset(peer):
    if kind == "tcp":
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        # A UNIX socket resets when it closes with bytes unread: give it some.
        try:
            peer.settimeout(0.3)
            peer.recv(1, socket.MSG_PEEK)
        except (socket.timeout, ConnectionError):
            pass
    peer.close()


def serve(tag):
    peer = connect()
    received = b""
    peer.settimeout(2)
    try:
        while len(received) < 65536:
            chunk = peer.recv(65536)
            if not chunk:
                break
            received += chunk
    except socket.timeout:
        pass
    peer.sendall(tag.encode() + b"\n")
    peer.shutdown(socket.SHUT_WR)
    peer.close()
    kinds = "".join(sorted(set(received.decode("latin-1"))))
    print("SERVED", tag, len(received), repr(kinds), flush=True)


for action in sys.argv[3:]:
    if action == "reset":
        reset(connect())
    elif action == "leave":
        peer = connect()
        peer.recv(5)
        peer.close()
    elif action == "queued-reset":
        first = connect()
        time.sleep(0.2)
        reset(connect())
        time.sleep(0.2)
        reset(first)
    elif action.startswith("serve:"):
        serve(action[len("serve:"):])
    time.sleep(0.2)
    print("DONE", action, flush=True)
