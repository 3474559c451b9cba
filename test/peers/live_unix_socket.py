# Keeps a live Unix socket at PATH that does not accept a connection: KIND is 'dgram' (a SOCK_DGRAM socket,
# like /dev/log) or 'full' (a stream listener whose backlog is full). Prints 'ready', then lives until stdin closes.
# Usage: python3 live_unix_socket.py KIND PATH
import socket, sys
kind, path = sys.argv[1], sys.argv[2]
keep = []
if kind == "dgram":
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    keep.append(s)
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(0)
    keep.append(s)
    for _ in range(64):  # bounded: the backlog of listen(0) fills after one or two
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        keep.append(c)
        try:
            c.connect(path)
        except BlockingIOError:
            break
print("ready", flush=True)
sys.stdin.read()
