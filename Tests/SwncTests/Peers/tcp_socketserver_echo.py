# The cheatsheet's socketserver TCP echo: a StreamRequestHandler echoes each line until the
# client closes; serves one connection.
import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    timeout = 20

    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


server = socketserver.TCPServer(("127.0.0.1", 0), EchoHandler)
server.timeout = 20
print("READY", server.server_address[1], flush=True)
server.handle_request()
server.server_close()
