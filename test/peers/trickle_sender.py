# Sends PAYLOAD (a string) to HOST:PORT over PROTO (udp or tcp) at RATE bytes per second for SECONDS, then
# 'ping' once; prints how many messages went out. A hostile peer that stays slow: 1 KB/s of crafted input.
# Usage: python3 trickle_sender.py PROTO HOST PORT PAYLOAD RATE SECONDS
import socket, sys, time
proto, host, port, payload = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
rate, seconds = float(sys.argv[5]), float(sys.argv[6])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
if proto == "udp":
    s = socket.socket(family, socket.SOCK_DGRAM)
    send = lambda data: s.sendto(data, (host, port))
else:
    s = socket.create_connection((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    send = s.sendall
gap = len(payload) / rate
start, sent = time.monotonic(), 0
while time.monotonic() - start < seconds:
    send(payload)
    sent += 1
    next_at = start + sent * gap
    time.sleep(max(0.0, next_at - time.monotonic()))
send(b"ping")
print(sent, flush=True)
time.sleep(0.5)
