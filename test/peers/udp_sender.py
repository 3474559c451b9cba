# Sends COUNT datagrams of SIZE bytes to HOST:PORT as fast as sendto allows; prints how many sendto calls succeeded.
# Usage: python3 udp_sender.py HOST PORT COUNT SIZE
import socket, sys
host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
payload, ok = b"d" * size, 0
for i in range(count):
    try:
        s.sendto(payload, (host, port))
        ok += 1
    except OSError:
        pass
print(ok, flush=True)
