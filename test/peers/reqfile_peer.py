# Scripted peers for request-file tests, on loopback. Prints its port, then serves one client (UDP: until idle).
# Usage: python3 reqfile_peer.py MODE HOST [ARG]
#   udp-echo  answers each datagram with "py:" + the datagram, until nothing arrives for 10 s
#   udp-flood answers the first datagram with ARG datagrams of 1000 bytes, paced so the kernel keeps them, then exits
#   lines     sends "PI", pauses 100 ms, sends "NG\r\nPONG 2\r\nunfinished", then closes (FIN)
#   length    sends two MODBUS/TCP-like frames (length field of 2 bytes at offset 4) one byte at a time, then waits
#             for the client to close
#   flood     sends "x" without end until ARG bytes went out or the client closes; prints how many were sent
import socket, sys, time

mode, host = sys.argv[1], sys.argv[2]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
if mode == "udp-echo":
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    print(s.getsockname()[1], flush=True)
    s.settimeout(10)
    try:
        while True:
            data, addr = s.recvfrom(65535)
            s.sendto(b"py:" + data, addr)
    except socket.timeout:
        pass
    sys.exit(0)
if mode == "udp-flood":
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((host, 0))
    print(s.getsockname()[1], flush=True)
    s.settimeout(10)
    _, addr = s.recvfrom(65535)
    for i in range(int(sys.argv[3])):
        s.sendto(b"x" * 1000, addr)
        if i % 20 == 19:
            time.sleep(0.002)  # lets the receiver read, so datagrams reach it rather than die in its socket buffer
    sys.exit(0)

s = socket.socket(family, socket.SOCK_STREAM)
s.bind((host, 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
s.settimeout(20)
conn, _ = s.accept()
conn.settimeout(20)
if mode == "lines":
    conn.sendall(b"PI")
    time.sleep(0.1)
    conn.sendall(b"NG\r\nPONG 2\r\nunfinished")
    conn.shutdown(socket.SHUT_WR)
    conn.recv(1)
elif mode == "length":
    frames = bytes.fromhex("0001 0000 0003 01 03 2a") + bytes.fromhex("0002 0000 0004 01 83 02 ff")
    for i in range(len(frames)):
        conn.sendall(frames[i : i + 1])
        time.sleep(0.005)
    conn.recv(1)
elif mode == "flood":
    limit, sent, chunk = int(sys.argv[3]), 0, b"x" * 65536
    try:
        while sent < limit:
            conn.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass
    print(sent, flush=True)
conn.close()
