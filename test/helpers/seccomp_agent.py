#!/usr/bin/env python3
# A seccomp notify agent for the tests: listens on a unix socket (the profile's listenerPath),
# receives the listener fd with the container process state (SCM_RIGHTS, as the spec says),
# writes the state to STATE_FILE, then answers notifications: getppid gets the value 4242, any
# other syscall is let through (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
#
#   seccomp_agent.py SOCKET STATE_FILE

import array, fcntl, json, os, socket, struct, sys

SOCK, STATE = sys.argv[1], sys.argv[2]
NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif): 80 bytes
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp): 24 bytes
FLAG_CONTINUE = 1
NR_GETPPID = 110  # x86_64

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(SOCK)
srv.listen(1)
print('listening', flush=True)
conn, _ = srv.accept()
fds = array.array('i')
msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_LEN(16 * fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
conn.close()
with open(STATE + '.tmp', 'w') as f:
    json.dump({'state': json.loads(msg.decode()), 'fds': len(fds)}, f)
os.rename(STATE + '.tmp', STATE)
listener = fds[0]
while True:
    buf = bytearray(80)
    try:
        fcntl.ioctl(listener, NOTIF_RECV, buf, True)
    except OSError:
        break  # the filter's last process is gone
    nid, pid, flags, nr = struct.unpack_from('<QIIi', buf, 0)
    if nr == NR_GETPPID:
        resp = struct.pack('<QqiI', nid, 4242, 0, 0)
    else:
        resp = struct.pack('<QqiI', nid, 0, 0, FLAG_CONTINUE)
    try:
        fcntl.ioctl(listener, NOTIF_SEND, bytearray(resp), True)
    except OSError:
        pass  # the caller went away meanwhile
