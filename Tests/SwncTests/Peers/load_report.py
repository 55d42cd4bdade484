# The one way the load_ and fault_ peers print their status lines ("READY 4242", "DONE 500 0"):
# one write(2) per line, so that a line is never split (print() writes word by word, and two
# threads' words can interleave) and the test never reads half a line.
import os


def report(*words):
    os.write(1, (" ".join(str(word) for word in words) + "\n").encode())
