# The cheatsheet's threaded echo server: one thread per client, all served at once.
# Serves as many clients as the first argument says (default 1), then exits.
import socket
import sys
import threading


def echo(conn):
    conn.settimeout(20)
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)


clients = int(sys.argv[1]) if len(sys.argv) > 1 else 1
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(10)
server.settimeout(20)
print("READY", server.getsockname()[1], flush=True)
threads = []
for _ in range(clients):
    conn, addr = server.accept()
    thread = threading.Thread(target=echo, args=(conn,))
    thread.start()
    threads.append(thread)
for thread in threads:
    thread.join()
server.close()
