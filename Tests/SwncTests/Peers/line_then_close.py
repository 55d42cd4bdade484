# A TCP server on port 0 (prints READY PORT) that sends one line, half-closes, and prints
# what its one client sent back: "GOT <repr>" once the client closes (or after 5 s).
import socket

listener = socket.create_server(("127.0.0.1", 0))
print("READY", listener.getsockname()[1], flush=True)
listener.settimeout(10)
connection, _ = listener.accept()
connection.sendall(b"hello\n")
connection.shutdown(socket.SHUT_WR)
connection.settimeout(5)
received = b""
try:
    while chunk := connection.recv(65536):
        received += chunk
except socket.timeout:
    pass
print("GOT", repr(received), flush=True)
