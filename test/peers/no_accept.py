# A TCP server that listens with backlog 0 and never accepts: once its queue is full, further
# connection attempts hang, which is how the tests provoke a connect timeout on loopback only.
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(0)
print(s.getsockname()[1], flush=True)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
