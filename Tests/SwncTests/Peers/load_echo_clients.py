# Echo clients for the load tests, one non-blocking selector loop for all of them.
#
#   load_echo_clients.py PORT --clients N --bytes B      N clients at once, each sends B random
#                                                         bytes and checks every byte of the echo;
#                                                         prints "CONNECTED N", then "DONE ok failed"
#   load_echo_clients.py PORT --clients 1 --stall-halfway sends half, prints "HALFWAY", then waits
#                                                         (to be killed)
#   load_echo_clients.py PORT --sequential N --bytes B   N connections one after another;
#                                                         prints "DONE ok failed"
import argparse
import os
import selectors
import socket
import sys
import time

from load_report import report

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("--clients", type=int, default=0)
parser.add_argument("--sequential", type=int, default=0)
parser.add_argument("--bytes", type=int, default=256 * 1024)
parser.add_argument("--stall-halfway", action="store_true")
parser.add_argument("--timeout", type=float, default=120)
arguments = parser.parse_args()

# Every client sends a different slice of one random pool, so each checks its own bytes.
POOL = os.urandom(arguments.bytes + 64 * 1024)
CHUNK = 64 * 1024


def expected(index):
    offset = (index * 4099) % (64 * 1024)
    return memoryview(POOL)[offset:offset + arguments.bytes]


class Client:
    def __init__(self, index):
        self.index = index
        self.data = expected(index)
        self.sent = 0
        self.received = 0
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setblocking(False)
        self.socket.connect_ex(("127.0.0.1", arguments.port))
        self.failed = None

    def limit(self):
        return len(self.data) // 2 if arguments.stall_halfway else len(self.data)


def run_concurrently(count):
    selector = selectors.DefaultSelector()
    clients = [Client(index) for index in range(count)]
    for client in clients:
        selector.register(client.socket, selectors.EVENT_READ | selectors.EVENT_WRITE, client)
    report("CONNECTED", count)
    open_clients = count
    deadline = time.monotonic() + arguments.timeout
    while open_clients and time.monotonic() < deadline:
        for key, events in selector.select(timeout=1):
            client = key.data
            try:
                if events & selectors.EVENT_WRITE and client.sent < client.limit():
                    client.sent += client.socket.send(client.data[client.sent:min(client.limit(), client.sent + CHUNK)])
                    if client.sent == client.limit():
                        if arguments.stall_halfway:
                            report("HALFWAY")
                        else:
                            client.socket.shutdown(socket.SHUT_WR)
                        selector.modify(client.socket, selectors.EVENT_READ, client)
                if events & selectors.EVENT_READ:
                    chunk = client.socket.recv(CHUNK)
                    if chunk:
                        end = client.received + len(chunk)
                        if end > len(client.data) or chunk != client.data[client.received:end]:
                            raise ValueError("echo differs at byte %d" % client.received)
                        client.received = end
                    else:
                        if client.received != len(client.data):
                            raise ValueError("echo ended after %d bytes" % client.received)
                        selector.unregister(client.socket)
                        client.socket.close()
                        open_clients -= 1
            except (OSError, ValueError) as error:
                client.failed = str(error)
                selector.unregister(client.socket)
                client.socket.close()
                open_clients -= 1
    failures = [client for client in clients if client.failed or client.received != len(client.data)]
    for client in failures[:5]:
        print("FAILED", client.index, client.failed or "timed out", file=sys.stderr, flush=True)
    report("DONE", count - len(failures), len(failures))


def run_sequentially(count):
    failed = 0
    for index in range(count):
        data = expected(index).tobytes()
        try:
            with socket.create_connection(("127.0.0.1", arguments.port), timeout=10) as connection:
                connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
                echoed = b""
                while True:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    echoed += chunk
            failed += echoed != data
        except OSError:
            failed += 1
    report("DONE", count - failed, failed)


if arguments.sequential:
    run_sequentially(arguments.sequential)
else:
    run_concurrently(arguments.clients)
    if arguments.stall_halfway:
        time.sleep(arguments.timeout)
