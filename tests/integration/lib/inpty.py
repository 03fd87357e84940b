#!/usr/bin/env python3
"""Run a command on a terminal of its own, as a user's shell would.

    inpty.py [--type-after MARK TEXT] COMMAND [ARG...]

COMMAND runs as the session leader of a new pty (its controlling terminal,
on fds 0-2, SIGPIPE at its default). Prints everything it wrote, then
"exit N" and "tty cooked" or "tty raw": the terminal's mode once it has
exited (a gocker that dies in raw mode leaves it raw). Kills it after 30 s.
--type-after types TEXT (escapes such as \\x03, a ^C, allowed) into the
terminal once MARK has appeared in the output.
"""
import fcntl
import os
import select
import signal
import sys
import termios
import time

TIMEOUT = 30


def spawn(argv, master, slave):
    """Fork argv as the session leader of the pty (master, slave), on its
    fds 0-2 and with SIGPIPE at its default (Python ignores it); the slave
    stays open here. Returns the pid."""
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(argv[0], argv)
    return pid


def main():
    argv, mark, text = sys.argv[1:], None, None
    if argv[:1] == ["--type-after"] and len(argv) > 3:
        mark = argv[1].encode()
        text = argv[2].encode().decode("unicode_escape").encode("latin-1")
        argv = argv[3:]
    if not argv:
        sys.exit(__doc__)
    master, slave = os.openpty()
    pid = spawn(argv, master, slave)
    out, code = b"", None
    deadline = time.monotonic() + TIMEOUT
    while code is None and time.monotonic() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            try:
                out += os.read(master, 4096)
            except OSError:
                pass
        if mark is not None and mark in out:
            os.write(master, text)
            mark = None
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
    if code is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    while select.select([master], [], [], 0.2)[0]:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    lflag = termios.tcgetattr(slave)[3]
    raw = not (lflag & termios.ICANON) or not (lflag & termios.ECHO)
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
    print("\nexit %s" % ("timeout" if code is None else code))
    print("tty raw" if raw else "tty cooked")


if __name__ == "__main__":
    main()
