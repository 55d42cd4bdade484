# A broker member that misbehaves, for swnc's broker tests:
#   broker_member.py PORT stall            connects, prints "UP <local port>", never reads
#   broker_member.py PORT leave BYTES reset|close
#                                          connects, prints "UP <local port>", reads BYTES,
#                                          then leaves (a reset: SO_LINGER 0; or a plain close)
#                                          and prints "LEFT"
# Every wait is bounded: it gives up (exit 1) after 60 seconds.
import socket
import struct
import sys
import time

port = int(sys.argv[1])
mode = sys.argv[2]
member = socket.create_connection(("127.0.0.1", port), timeout=60)
print("UP", member.getsockname()[1], flush=True)
if mode == "stall":
    time.sleep(60)
    sys.exit(0)
wanted = int(sys.argv[3])
received = 0
while received < wanted:
    data = member.recv(65536)
    if not data:
        print("closed early after", received, flush=True)
        sys.exit(1)
    received += len(data)
if sys.argv[4] == "reset":
    member.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
member.close()
print("LEFT", flush=True)
