# A one-connection TLS echo server for the TLS tests. Prints "READY <port>", then after the
# handshake what the client asked for: "SNI <name>", "ALPN <protocol>", "CLIENT <subject CN>"
# ("-" for none), then echoes until the client's close_notify, answers it with its own and
# prints "CLOSED <bytes>". A failed handshake prints "HANDSHAKE FAILED <reason>".
# Arguments: CERT KEY [--alpn P1,P2] [--require-client CAFILE]
import socket
import ssl
import sys

arguments = sys.argv[1:]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(arguments[0], arguments[1])
if "--alpn" in arguments:
    context.set_alpn_protocols(arguments[arguments.index("--alpn") + 1].split(","))
if "--require-client" in arguments:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(arguments[arguments.index("--require-client") + 1])
requested = ["-"]
def remember_name(connection, name, _context):
    requested[0] = name or "-"
context.sni_callback = remember_name

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
server.settimeout(20)
print("READY", server.getsockname()[1], flush=True)
plain, _ = server.accept()
plain.settimeout(20)
try:
    connection = context.wrap_socket(plain, server_side=True)
except (ssl.SSLError, OSError) as error:
    print("HANDSHAKE FAILED", error, flush=True)
    sys.exit(0)
certificate = connection.getpeercert()
client = "-"
if certificate:
    client = dict(pair[0] for pair in certificate["subject"]).get("commonName", "-")
print("SNI", requested[0], flush=True)
print("ALPN", connection.selected_alpn_protocol() or "-", flush=True)
print("CLIENT", client, flush=True)
echoed = 0
while True:
    data = connection.recv(65536)
    if not data:
        break
    connection.sendall(data)
    echoed += len(data)
connection.unwrap()
plain.close()
print("CLOSED", echoed, flush=True)
