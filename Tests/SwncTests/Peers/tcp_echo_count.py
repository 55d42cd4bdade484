# A TCP echo server that closes once it has echoed COUNT bytes: the client then sees the
# connection end without half-closing it, which many proxies (microsocks, tinyproxy) do not pass
# on. Usage: tcp_echo_count.py COUNT; prints "READY <port>" once it listens on 127.0.0.1.
import socket
import sys

count = int(sys.argv[1])
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(1)
server.settimeout(20)
print("READY", server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.settimeout(20)
echoed = 0
while echoed < count:
    data = conn.recv(min(65536, count - echoed))
    if not data:
        break
    conn.sendall(data)
    echoed += len(data)
conn.close()
