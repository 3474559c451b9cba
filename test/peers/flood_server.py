# A hostile server for send-and-wait: accepts one connection on 127.0.0.1 (an ephemeral port, printed),
# waits for the client's request, then answers with BYTES bytes of 'x' as fast as the client reads them
# and keeps the connection open (no FIN) until its stdin closes. Prints how many bytes went out at the end.
# Usage: python3 flood_server.py BYTES
import socket, sys
limit = int(sys.argv[1])
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
conn.recv(65536)
block, sent = b"x" * (1 << 20), 0
try:
    while sent < limit:
        sent += conn.send(block[: min(len(block), limit - sent)])
except OSError:
    pass
sys.stdin.read()
print(sent, flush=True)
conn.close()
