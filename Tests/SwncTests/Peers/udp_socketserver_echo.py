# The cheatsheet's socketserver UDP echo. Runs until 20 seconds pass with no datagram.
import socketserver
import sys


class EchoHandler(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read())


class EchoServer(socketserver.UDPServer):
    timeout = 20

    def handle_timeout(self):
        self.server_close()
        sys.exit(0)


server = EchoServer(("127.0.0.1", 0), EchoHandler)
print("READY", server.server_address[1], flush=True)
while True:
    server.handle_request()
