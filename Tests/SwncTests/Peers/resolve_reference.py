# What `swnc --resolve [-4|-6] [host]` should print, according to Python's socket module:
# without a host, socket.gethostname() and then its addresses; with one, its addresses;
# IPv4 first, each once. A host that does not resolve: "ERROR ..." and exit 1.
import socket
import sys

arguments = sys.argv[1:]
family = socket.AF_UNSPEC
if arguments and arguments[0] in ("-4", "-6"):
    family = socket.AF_INET if arguments.pop(0) == "-4" else socket.AF_INET6


def addresses(host):
    found = [entry[4][0] for entry in socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)]
    ordered = [a for a in found if ":" not in a] + [a for a in found if ":" in a]
    return list(dict.fromkeys(ordered))


if not arguments:
    name = socket.gethostname()
    print(name)
    try:
        for address in addresses(name):
            print(address)
    except socket.gaierror:
        pass
else:
    try:
        for address in addresses(arguments[0]):
            print(address)
    except socket.gaierror as error:
        print("ERROR", error)
        sys.exit(1)
