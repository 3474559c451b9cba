# A Python TCP client that writes a stream in controlled pieces, for the framing tests.
# Usage:
#   framing_peer.py steps  HOST PORT HEX...        each piece in its own write; after each but the last, waits
#                                                  for one byte from the server (its read happened), then closes
#   framing_peer.py hold   HOST PORT HEX...        like steps, but before closing waits until the server sends 'F'
#   framing_peer.py splits HOST PORT HEX            one connection per cut point k = 1..len-1: writes [0, k),
#                                                  waits for one byte, writes [k, len), closes
#   framing_peer.py pause  HOST PORT MS HEX...      each piece in its own write, MS milliseconds apart, then closes
#   framing_peer.py flood  HOST PORT HEADHEX BYTES TAILHEX
#                                                  writes HEADHEX, BYTES bytes of 'a' in 1 MiB writes, TAILHEX, closes
#   framing_peer.py gated  HOST PORT HEX...        each piece in its own write; before each but the first, waits
#                                                  for a line on stdin (the test saw the read); then closes
#   framing_peer.py gatedsplits HOST PORT HEX      one connection per cut point k = 1..len-1: writes [0, k),
#                                                  waits for a line on stdin, writes [k, len), closes
# Closing sends FIN and reads until the server closes; gated and gatedsplits print what was read, in hex,
# one line per connection.
import socket, sys, time


def connect(host, port):
    s = socket.create_connection((host, int(port)), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def wait_ack(s):
    if not s.recv(1):
        sys.exit("the server closed before acknowledging a piece")


def close(s):
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        data = s.recv(65536)
        if not data:
            break
        if len(got) < 65536:
            got += data
    s.close()
    return got


def gate():
    if not sys.stdin.readline():
        sys.exit("stdin closed before the go-ahead")


mode, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
rest = sys.argv[4:]
if mode in ("steps", "hold"):
    s = connect(host, port)
    pieces = [bytes.fromhex(p) for p in rest]
    for i, piece in enumerate(pieces):
        s.sendall(piece)
        if i < len(pieces) - 1:
            wait_ack(s)
    if mode == "hold":
        while True:
            got = s.recv(1)
            if not got:
                sys.exit("the server closed before it sent F")
            if got == b"F":
                break
    close(s)
elif mode == "splits":
    data = bytes.fromhex(rest[0])
    for k in range(1, len(data)):
        s = connect(host, port)
        s.sendall(data[:k])
        wait_ack(s)
        s.sendall(data[k:])
        close(s)
elif mode == "pause":
    s = connect(host, port)
    pieces = [bytes.fromhex(p) for p in rest[1:]]
    for i, piece in enumerate(pieces):
        if i > 0:
            time.sleep(int(rest[0]) / 1000)
        s.sendall(piece)
    close(s)
elif mode == "flood":
    s = connect(host, port)
    s.sendall(bytes.fromhex(rest[0]))
    left = int(rest[1])
    block = b"a" * (1 << 20)
    while left > 0:
        n = min(left, len(block))
        s.sendall(block[:n])
        left -= n
    s.sendall(bytes.fromhex(rest[2]))
    close(s)
elif mode == "gated":
    s = connect(host, port)
    for i, piece in enumerate(bytes.fromhex(p) for p in rest):
        if i > 0:
            gate()
        s.sendall(piece)
    print(close(s).hex(), flush=True)
elif mode == "gatedsplits":
    data = bytes.fromhex(rest[0])
    for k in range(1, len(data)):
        s = connect(host, port)
        s.sendall(data[:k])
        gate()
        s.sendall(data[k:])
        print(close(s).hex(), flush=True)
else:
    sys.exit("unknown mode " + mode)
