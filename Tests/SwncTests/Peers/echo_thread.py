# A TCP echo server for one connection on 127.0.0.1, run in a daemon thread of the peer that
# imports it (socketpair_parent.py, fdpass_parent.py): start() returns its port.
import socket
import threading


def start():
    echo = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    echo.bind(("127.0.0.1", 0))
    echo.listen(1)
    echo.settimeout(20)

    def serve():
        try:
            conn, _ = echo.accept()
        except OSError:
            return
        conn.settimeout(20)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return echo.getsockname()[1]
