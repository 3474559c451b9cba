# A Python TCP client: connects, sends a message, half-closes, prints everything it reads until EOF.
# Usage: python3 client.py HOST PORT MESSAGE
import socket, sys
host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection((host, port), timeout=5)
s.sendall(message.encode())
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    data = s.recv(4096)
    if not data:
        break
    out += data
sys.stdout.buffer.write(out)
