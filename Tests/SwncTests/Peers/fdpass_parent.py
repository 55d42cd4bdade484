# ssh's ProxyUseFdpass, from the parent's side: runs `SWNC ARGS...` (the word ECHO_PORT in ARGS
# replaced by the port of an echo server this script runs on 127.0.0.1) with stdout one end of a
# socketpair, receives the descriptor swnc passes (one byte, SCM_RIGHTS), and talks through it.
# Prints "received 1 descriptor", then "echoed N bytes exact" when every byte came back;
# exits with swnc's status, or 1 when the descriptor or the echo is wrong.
import array
import echo_thread
import socket
import subprocess
import sys
import threading

payload = bytes(range(256)) * 1024

echo_port = echo_thread.start()

arguments = [word.replace("ECHO_PORT", str(echo_port)) for word in sys.argv[1:]]
parent, child = socket.socketpair()
process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=child)
child.close()
parent.settimeout(20)
status = process.wait(timeout=20)
if status != 0:
    sys.exit(status)
descriptors = array.array("i")
data, ancillary, _, _ = parent.recvmsg(1, socket.CMSG_SPACE(4 * descriptors.itemsize))
for level, kind, carried in ancillary:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        descriptors.frombytes(carried[: len(carried) - len(carried) % descriptors.itemsize])
print("received", len(descriptors), "descriptor" if len(descriptors) == 1 else "descriptors", flush=True)
if data != b"\0" or len(descriptors) != 1:
    sys.exit(1)
tunnel = socket.socket(fileno=descriptors[0])
tunnel.settimeout(20)  # swnc's socket is non-blocking: Python then waits with poll
sender = threading.Thread(target=tunnel.sendall, args=(payload,), daemon=True)
sender.start()
received = bytearray()
while len(received) < len(payload):
    chunk = tunnel.recv(65536)
    if not chunk:
        break
    received += chunk
sender.join(timeout=20)
exact = bytes(received) == payload
print("echoed", len(received), "bytes", "exact" if exact else "DIFFERENT", flush=True)
sys.exit(0 if exact else 1)
