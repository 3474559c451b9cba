# Binds the sockets named on the command line ('tcp@127.0.0.1', 'udp@::1', port 0 = any), prints them as
# JSON ([{protocol, address, port}]) and holds them until stdin closes or the process is killed.
import json
import socket
import sys

held = []
out = []
for spec in sys.argv[1:]:
    proto, host = spec.split('@', 1)
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
    s.bind((host, 0))
    if proto == 'tcp':
        s.listen()
    held.append(s)
    out.append({'protocol': proto, 'address': host, 'port': s.getsockname()[1]})
print(json.dumps(out), flush=True)
sys.stdin.read()
