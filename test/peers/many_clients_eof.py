# Opens N TCP connections to HOST:PORT (raising its own soft descriptor limit first), prints "ready", then
# on stdin "wait" waits up to 20 s for every connection to see EOF or a reset and prints how many did.
# Usage: python3 many_clients_eof.py HOST PORT N
import resource, selectors, socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 100:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))
socks = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
print("ready", flush=True)
sys.stdin.readline()
sel = selectors.DefaultSelector()
for s in socks:
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
closed, end = 0, time.time() + 20
while closed < n and time.time() < end:
    for key, _ in sel.select(timeout=0.5):
        try:
            data = key.fileobj.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
            closed += 1
print(closed, flush=True)
