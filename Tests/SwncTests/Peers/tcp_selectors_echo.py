# The cheatsheet's selectors-based echo server (the high-level wrapper around epoll).
# Serves as many clients as the first argument says (default 1), then exits; gives up after
# 20 seconds with nothing happening.
import selectors
import socket
import sys

clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1
selector = selectors.DefaultSelector()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(10)
server.setblocking(False)
selector.register(server, selectors.EVENT_READ)
print("READY", server.getsockname()[1], flush=True)
accepted = 0
open_connections = 0
while open_connections > 0 or accepted < clients:
    events = selector.select(timeout=20)
    if not events:
        sys.exit("selectors echo: timed out")
    for key, _ in events:
        sock = key.fileobj
        if sock is server:
            conn, addr = server.accept()
            conn.setblocking(True)  # sendall below must send everything
            conn.settimeout(20)
            selector.register(conn, selectors.EVENT_READ)
            accepted += 1
            open_connections += 1
            if accepted == clients:
                selector.unregister(server)
            continue
        data = sock.recv(1024)
        if data:
            sock.sendall(data)
        else:
            selector.unregister(sock)
            sock.close()
            open_connections -= 1
server.close()
