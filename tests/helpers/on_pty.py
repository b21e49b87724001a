#!/usr/bin/env python3
"""on_pty.py OUT ERR CMD... - runs CMD with its stderr on a pseudo-terminal
(stdin and stdout as given), copies what it wrote there to ERR and exits
with its status. For tests of what a program shows only on a terminal."""
import os
import pty
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(64)
    out_path, err_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    master, slave = pty.openpty()
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=slave)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        got += chunk
    rc = proc.wait()
    os.close(master)
    with open(err_path, "wb") as err:
        err.write(got)
    sys.exit(rc)


main()
