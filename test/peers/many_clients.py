# Opens N TCP connections to HOST:PORT and holds them until stdin closes (for list() cost with many
# connections without spending the test process's own file descriptors on the client side).
# Usage: python3 many_clients.py HOST PORT N
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for _ in range(n):
    socks.append(socket.create_connection((host, port), timeout=10))
print("ready", flush=True)
sys.stdin.read()
