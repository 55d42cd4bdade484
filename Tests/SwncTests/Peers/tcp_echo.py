# The cheatsheet's TCP echo server: one connection, recv/send until the peer closes.
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(10)
server.settimeout(20)
print("READY", server.getsockname()[1], flush=True)
conn, addr = server.accept()
conn.settimeout(20)
while True:
    data = conn.recv(1024)
    if not data:
        break
    conn.sendall(data)
conn.close()
