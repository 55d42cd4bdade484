# Peers of a listener under test, driven by steps, each observation printed as one line so
# that a test can compare the whole transcript (and the same transcript from ncat):
#   session_driver.py tcp|udp HOST PORT STEP...
# Steps (NAME is any word; SOURCE a loopback address to bind the peer to, e.g. 127.0.0.2):
#   open:NAME[@SOURCE]     connect a peer                    (prints nothing)
#   send:NAME:TEXT         send TEXT and a newline            (prints nothing)
#   recv:NAME:TEXT         receive len(TEXT)+1 bytes, or one datagram: "NAME got b'...'"
#   sendhex:NAME:HEX       send the bytes HEX stands for      (prints nothing)
#   recvhex:NAME:HEX       receive as many bytes as HEX stands for: "NAME got HEX" (or what came)
#   eof:NAME               read to end of file: "NAME eof after b'...'" (what came before it)
#   quiet:NAME:SECS        nothing may come for SECS: "NAME quiet", or what came
#   shut:NAME              shut down the sending side         (prints nothing)
#   close:NAME             close the peer                     (prints nothing)
#   sleep:SECS             wait
#   took:NAME:LOW:HIGH     seconds since NAME's open: "NAME took LOW-HIGH s", or the real time
# A reset is printed as "NAME reset after b'...'"; every wait ends after 20 s at the latest.
import socket
import sys
import time

TIMEOUT = 20
kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
peers = {}
opened = {}


def say(text):
    print(text, flush=True)


def read_until_eof(name, sock, limit):
    data = b""
    sock.settimeout(limit)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return f"{name} eof after {data!r}"
            data += chunk
    except socket.timeout:
        return None if not data else f"{name} got {data!r}"
    except ConnectionResetError:
        return f"{name} reset after {data!r}"


for step in sys.argv[4:]:
    action, _, rest = step.partition(":")
    if action == "open":
        name, _, source = rest.partition("@")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
        if source:
            sock.bind((source, 0))
        sock.settimeout(TIMEOUT)
        sock.connect((host, port))
        peers[name] = sock
        opened[name] = time.monotonic()
    elif action == "send":
        name, _, text = rest.partition(":")
        peers[name].sendall((text + "\n").encode())
    elif action == "sendhex":
        name, _, digits = rest.partition(":")
        peers[name].sendall(bytes.fromhex(digits))
    elif action in ("recv", "recvhex"):
        name, _, text = rest.partition(":")
        sock = peers[name]
        sock.settimeout(TIMEOUT)
        want = len(bytes.fromhex(text)) if action == "recvhex" else len((text + "\n").encode())
        data = b""
        try:
            if kind == "udp":
                data = sock.recv(65536)
            else:
                while len(data) < want:
                    chunk = sock.recv(want - len(data))
                    if not chunk:
                        break
                    data += chunk
            say(f"{name} got {data.hex() if action == 'recvhex' and len(data) == want else repr(data)}")
        except socket.timeout:
            say(f"{name} timed out after {data!r}")
        except ConnectionResetError:
            say(f"{name} reset after {data!r}")
    elif action == "eof":
        say(read_until_eof(rest, peers[rest], TIMEOUT) or f"{rest} timed out")
    elif action == "quiet":
        name, _, seconds = rest.partition(":")
        say(read_until_eof(name, peers[name], float(seconds)) or f"{name} quiet")
    elif action == "shut":
        peers[rest].shutdown(socket.SHUT_WR)
    elif action == "close":
        peers.pop(rest).close()
    elif action == "sleep":
        time.sleep(float(rest))
    elif action == "took":
        name, low, high = rest.split(":")
        taken = time.monotonic() - opened[name]
        say(f"{name} took {low}-{high} s" if float(low) <= taken <= float(high) else f"{name} took {taken:.2f} s")
    else:
        sys.exit(f"unknown step {step!r}")
