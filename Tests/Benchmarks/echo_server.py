#!/usr/bin/env python3
"""The benchmark's reference echo server: Python's selectors, one thread, non-blocking.

    echo_server.py tcp HOST PORT | echo_server.py udp HOST PORT
"""
import selectors
import socket
import sys


def serve_tcp(host, port):
    selector = selectors.DefaultSelector()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(4096)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)
    while True:
        for key, _ in selector.select():
            if key.data is None:
                try:
                    connection, _ = listener.accept()
                except BlockingIOError:
                    continue
                connection.setblocking(False)
                selector.register(connection, selectors.EVENT_READ, True)
                continue
            connection = key.fileobj
            try:
                data = connection.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                connection.setblocking(True)  # a short write would otherwise lose bytes
                connection.sendall(data)
                connection.setblocking(False)
            else:
                selector.unregister(connection)
                connection.close()


def serve_udp(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((host, port))
    while True:
        data, sender = server.recvfrom(65536)
        server.sendto(data, sender)


if __name__ == "__main__":
    kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    (serve_tcp if kind == "tcp" else serve_udp)(host, port)
