#!/usr/bin/env python3
"""A console-socket receiver, as containerd's shim and conmon are: listen on PATH, accept one
connection, receive exactly one fd (the pty master) with SCM_RIGHTS, then relay. Lines on stdin
go to the master, except "!resize ROWS COLS" (TIOCSWINSZ on the master) and "!close"; what the
master produces goes to stdout. Independent of caisson, so the tests hold for runc too."""
import fcntl
import os
import select
import socket
import struct
import sys
import termios

path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 1)
conn.close()
srv.close()
if len(fds) != 1:
    print(f"error: expected one fd, got {len(fds)}", flush=True)
    sys.exit(1)
master = fds[0]
print(f"received {msg.decode(errors='replace')}", flush=True)

out = sys.stdout.buffer
stdin = sys.stdin.buffer
pending = b""
while True:
    ready, _, _ = select.select([master, stdin], [], [])
    if master in ready:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the last holder of the slave is gone
            break
        if not data:
            break
        out.write(data)
        out.flush()
    if stdin in ready:
        chunk = os.read(stdin.fileno(), 4096)
        if not chunk:
            continue
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.startswith(b"!resize "):
                rows, cols = (int(x) for x in line.split()[1:3])
                fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            elif line == b"!close":
                sys.exit(0)
            else:
                os.write(master, line + b"\n")
