#!/usr/bin/env python3
"""Play a terminal whose window is resized while a shell runs in it.

    winsize.py ROWS COLS NEW_ROWS NEW_COLS -- COMMAND [ARG...]

Runs COMMAND (a `gocker run -it ... sh` or `gocker exec -it ... sh`) as the
session leader of a new pty sized ROWS x COLS, types `stty size` into the
shell, resizes the window to NEW_ROWS x NEW_COLS the way a terminal emulator
does (TIOCSWINSZ on the master: the kernel sends SIGWINCH to the foreground
process group, gocker), types `stty size` again, then `exit 3`. Prints the
two sizes the shell saw and "exit N" for COMMAND's exit status.
"""
import fcntl
import os
import re
import select
import struct
import sys
import termios
import time

from inpty import spawn

TIMEOUT = 30


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Terminal:
    def __init__(self, argv, rows, cols):
        self.master, slave = os.openpty()
        set_size(slave, rows, cols)  # before the command can read it
        self.pid = spawn(argv, self.master, slave)
        os.close(slave)
        self.buf = b""

    def expect(self, token):
        """Everything up to and including token; fails after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while token not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([self.master], [], [], max(left, 0))[0]
            data = b""
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    pass
            if not data:
                sys.exit("no %r in %r" % (token, self.buf))
            self.buf += data
        end = self.buf.index(token) + len(token)
        seen, self.buf = self.buf[:end], self.buf[end:]
        return seen

    def stty_size(self):
        # The marker is computed by the shell, so the echoed command line
        # never matches it.
        os.write(self.master, b"stty size; echo $((6*7))X\n")
        seen = self.expect(b"42X")
        sizes = re.findall(rb"(?m)^(\d+ \d+)\r?$", seen)
        if not sizes:
            sys.exit("no size in %r" % seen)
        return sizes[-1].decode()

    def finish(self):
        os.write(self.master, b"exit 3\n")
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    os.read(self.master, 4096)
                except OSError:
                    pass
        sys.exit("the command did not exit")


def main():
    if len(sys.argv) < 7 or sys.argv[5] != "--":
        sys.exit(__doc__)
    rows, cols, new_rows, new_cols = map(int, sys.argv[1:5])
    term = Terminal(sys.argv[6:], rows, cols)
    try:
        print(term.stty_size(), flush=True)
        set_size(term.master, new_rows, new_cols)
        print(term.stty_size(), flush=True)
        print("exit %d" % term.finish(), flush=True)
    finally:
        # On a failure, leave no gocker behind (the test's teardown
        # removes the container).
        try:
            os.kill(term.pid, 9)
            os.waitpid(term.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


if __name__ == "__main__":
    main()
