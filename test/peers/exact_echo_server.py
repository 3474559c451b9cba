# A byte-exact TCP echo server on loopback: prints its port, echoes one client until its FIN, then closes.
# Usage: python3 exact_echo_server.py HOST
import socket, sys
host = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
s.bind((host, 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
conn, _ = s.accept()
while True:
    data = conn.recv(1 << 20)
    if not data:
        break
    conn.sendall(data)
conn.close()
