# A Python TCP or UDP echo server on loopback: prints its port, echoes one client (TCP) or N datagrams (UDP).
# Usage: python3 echo_server.py tcp|udp HOST
import socket, sys
kind, host = sys.argv[1], sys.argv[2]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
if kind == "tcp":
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((host, 0))
    s.listen(1)
    print(s.getsockname()[1], flush=True)
    conn, _ = s.accept()
    while True:
        data = conn.recv(4096)
        if not data:
            break
        conn.sendall(b"py:" + data)
    conn.close()
else:
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    print(s.getsockname()[1], flush=True)
    s.settimeout(10)
    data, addr = s.recvfrom(65535)
    s.sendto(b"py:" + data, addr)
