# Streams TOTAL bytes to an echo server at HOST:PORT while reading the echo back in another thread;
# prints JSON with the SHA-256 of what it sent and of what came back, and the time taken.
# Each 1 MiB block starts with its index, so a lost, doubled or reordered block changes the hash.
# Usage: python3 hash_echo_client.py HOST PORT TOTAL_BYTES TIMEOUT_S
import hashlib, json, os, socket, struct, sys, threading, time
host, port, total, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection((host, port), timeout=timeout)
block = bytearray(os.urandom(1 << 20))
sent_hash, recv_hash = hashlib.sha256(), hashlib.sha256()
received = 0
def reader():
    global received
    while received < total:
        d = s.recv(1 << 20)
        if not d:
            break
        recv_hash.update(d)
        received += len(d)
t = threading.Thread(target=reader)
t.start()
t0 = time.time()
sent, index = 0, 0
while sent < total:
    struct.pack_into('>Q', block, 0, index)
    chunk = memoryview(block)[: min(len(block), total - sent)]
    s.sendall(chunk)
    sent_hash.update(chunk)
    sent += len(chunk)
    index += 1
t.join(timeout)
elapsed = time.time() - t0
s.close()
print(json.dumps({"sent": sent, "received": received, "sentSha": sent_hash.hexdigest(), "receivedSha": recv_hash.hexdigest(), "seconds": elapsed}), flush=True)
