# A TCP server for client-mode tests: prints "READY <port>", takes one connection, answers each
# chunk it receives with b"re:" and the chunk, and closes once the client has closed its side.
import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print("READY", server.getsockname()[1], flush=True)
connection, _ = server.accept()
connection.settimeout(20)
while True:
    chunk = connection.recv(65536)
    if not chunk:
        break
    connection.sendall(b"re:" + chunk)
connection.close()
