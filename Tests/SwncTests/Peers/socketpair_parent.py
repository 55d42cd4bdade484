# The cheatsheet's socketpair between parent and child, with swnc as the child: its stdin and
# stdout are one end of a socketpair, and it relays them to a TCP echo server. The parent writes
# through its end and must read every byte back. Usage: socketpair_parent.py SWNC
import echo_thread
import socket
import subprocess
import sys
import threading

swnc = sys.argv[1]
payload = bytes(range(256)) * 1024

echo_port = echo_thread.start()

parent, child = socket.socketpair()
process = subprocess.Popen([swnc, "-N", "127.0.0.1", str(echo_port)], stdin=child, stdout=child)
child.close()
parent.settimeout(20)


def send_all():
    parent.sendall(payload)
    parent.shutdown(socket.SHUT_WR)


threading.Thread(target=send_all, daemon=True).start()
received = bytearray()
while True:
    data = parent.recv(65536)
    if not data:
        break
    received += data
status = process.wait(timeout=20)
print("OK" if received == payload and status == 0 else f"FAIL status={status} got={len(received)} bytes")
