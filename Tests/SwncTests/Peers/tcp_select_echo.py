# The cheatsheet's select()-based echo server: one thread, many clients.
# Serves as many clients as the first argument says (default 1), then exits; gives up after
# 20 seconds with nothing happening.
import select
import socket
import sys

clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(10)
print("READY", server.getsockname()[1], flush=True)
inputs = [server]
accepted = 0
open_connections = 0
while open_connections > 0 or accepted < clients:
    readable, _, _ = select.select(inputs, [], [], 20)
    if not readable:
        sys.exit("select echo: timed out")
    for sock in readable:
        if sock is server:
            conn, addr = server.accept()
            inputs.append(conn)
            accepted += 1
            open_connections += 1
            if accepted == clients:
                inputs.remove(server)
            continue
        data = sock.recv(1024)
        if data:
            sock.sendall(data)
        else:
            inputs.remove(sock)
            sock.close()
            open_connections -= 1
server.close()
