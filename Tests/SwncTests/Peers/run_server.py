# Runs a server (danted, sshd) for a test: run_server.py PROGRAM ARGS...
# The test's process spawner hands its children a blocked signal mask and a descriptor it watches
# for their exit; daemons keep the mask (so SIGTERM would not stop them) and close the descriptor
# (so they would look gone). This script unblocks every signal, runs the server without the
# inherited descriptors, passes SIGTERM on, and exits with the server's status.
import signal
import subprocess
import sys

signal.pthread_sigmask(signal.SIG_SETMASK, [])
server = subprocess.Popen(sys.argv[1:])
signal.signal(signal.SIGTERM, lambda *_: server.terminate())
sys.exit(server.wait())
