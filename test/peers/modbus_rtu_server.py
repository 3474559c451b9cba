# A MODBUS RTU-like server over TCP on loopback, for request-file tests: it checks the CRC of each request
# (CRC-16/MODBUS, computed here bit by bit, independent of Socket Lab's table) and, like a real device,
# stays silent on a bad CRC. Function 03 (read holding registers) answers registers 42, 43, 44...
# Prints its port, then one line per request: "crc ok" or "crc bad"; serves one client, exits on its close.
# Usage: python3 modbus_rtu_server.py HOST
import socket, struct, sys

def crc16_modbus(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return struct.pack("<H", crc)  # low byte first

host = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
s.bind((host, 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
s.settimeout(20)
conn, _ = s.accept()
conn.settimeout(20)
pending = b""
while True:
    data = conn.recv(4096)
    if not data:
        break
    pending += data
    while len(pending) >= 8:  # a function 03 request: slave, function, address (2), count (2), CRC (2)
        frame, pending = pending[:8], pending[8:]
        if crc16_modbus(frame[:6]) != frame[6:]:
            print("crc bad", flush=True)
            continue
        print("crc ok", flush=True)
        slave, function, address, count = struct.unpack(">BBHH", frame[:6])
        body = struct.pack(">BBB", slave, function, 2 * count) + b"".join(struct.pack(">H", 42 + address + i) for i in range(count))
        conn.sendall(body + crc16_modbus(body))
conn.close()
