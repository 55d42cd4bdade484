# A UDP receiver: prints "READY <port>", then each datagram it receives, as it came.
# Usage: udp_collector.py [address] (default 127.0.0.1; 0.0.0.0 also takes broadcasts)
import socket
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
family = socket.AF_INET6 if ":" in host else socket.AF_INET
receiver = socket.socket(family, socket.SOCK_DGRAM)
receiver.bind((host, 0))
receiver.settimeout(60)
print("READY", receiver.getsockname()[1], flush=True)
while True:
    data, _ = receiver.recvfrom(65536)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
