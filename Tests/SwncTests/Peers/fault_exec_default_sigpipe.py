# Runs a program with SIGPIPE at its default action (the test runner may ignore it, and an
# ignored signal stays ignored across exec), so a program that forgot to ignore it dies of it.
#   fault_exec_default_sigpipe.py PROGRAM [ARGUMENTS...]
import os
import signal
import sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])
