# A Python client for a Socket Lab listener: sends one line, prints the reply.
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8880
with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
    s.sendall(b"hello from Python\n")
    print(s.recv(1024).decode("utf-8", "replace"))
