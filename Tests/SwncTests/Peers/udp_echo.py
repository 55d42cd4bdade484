# The cheatsheet's UDP echo server: every datagram goes back to its sender.
# Runs until 20 seconds pass with no datagram.
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 0))
server.settimeout(20)
print("READY", server.getsockname()[1], flush=True)
try:
    while True:
        data, sender = server.recvfrom(65535)
        server.sendto(data, sender)
except socket.timeout:
    pass
server.close()
