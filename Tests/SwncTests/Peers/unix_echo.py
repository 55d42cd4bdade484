# The cheatsheet's UNIX-domain stream echo server on the path given as argument: one
# connection, recv/send until the peer closes.
import os
import socket
import sys

path = sys.argv[1]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
server.settimeout(20)
print("READY", path, flush=True)
conn, _ = server.accept()
conn.settimeout(20)
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.sendall(data)
conn.close()
server.close()
os.unlink(path)
