# A hostile peer: sends as fast as it can to HOST:PORT and never reads what comes back, for SECONDS or
# until MAX bytes went out; prints how many bytes the kernel accepted from it.
# Usage: python3 flood_no_read.py HOST PORT SECONDS MAX
import socket, sys, time
host, port, seconds, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection((host, port))
s.setblocking(False)
buf, sent, end = b"x" * 65536, 0, time.time() + seconds
while time.time() < end and sent < limit:
    try:
        sent += s.send(buf)
    except BlockingIOError:
        time.sleep(0.01)
print(sent, flush=True)
sys.stdin.read()
