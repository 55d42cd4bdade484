# A TCP server that watches what one client does and says so, on its stdout and to the client:
#   PEER <host> <port>          the client's address, once it connects
#   RECEIVED <bytes> EOF|OPEN   after the client sent EOF, or after --wait-eof seconds without it
# --hold keeps the connection open afterwards (until this process is killed); without it the
# connection is closed, so the client sees EOF.
import argparse
import socket
import time

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--wait-eof", type=float, default=10.0)
parser.add_argument("--hold", action="store_true")
arguments = parser.parse_args()

family = socket.AF_INET6 if ":" in arguments.host else socket.AF_INET
server = socket.socket(family, socket.SOCK_STREAM)
server.bind((arguments.host, 0))
server.listen(5)
server.settimeout(30)
print("READY", server.getsockname()[1], flush=True)
connection, peer = server.accept()
print("PEER", peer[0], peer[1], flush=True)

received = 0
ended = False
deadline = time.monotonic() + arguments.wait_eof
while (left := deadline - time.monotonic()) > 0:
    connection.settimeout(left)
    try:
        data = connection.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        ended = True
        break
    if not data:
        ended = True
        break
    received += len(data)

verdict = f"RECEIVED {received} {'EOF' if ended else 'OPEN'}"
print(verdict, flush=True)
try:
    connection.sendall((verdict + "\n").encode())
except OSError:
    pass
if arguments.hold:
    time.sleep(60)
connection.close()
