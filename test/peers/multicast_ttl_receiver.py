"""Joins a multicast group and reports the IP TTL of the first datagram it gets.

Usage: multicast_ttl_receiver.py GROUP INTERFACE_ADDRESS
Prints 'port N' once it listens, then 'ttl T data D' for the first datagram, and exits (10 s bound).
Run only inside a network namespace a test made: joining a group on a real interface reaches the network.
"""
import socket
import struct
import sys

IP_RECVTTL = 12  # Linux <netinet/in.h>; Python's socket module does not name it

group, iface = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.bind(("0.0.0.0", 0))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(iface))
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
print("port", s.getsockname()[1], flush=True)
data, ancillary, _flags, _addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
ttl = None
for level, kind, value in ancillary:
    if level == socket.IPPROTO_IP and kind == socket.IP_TTL:
        ttl = struct.unpack("i", value[:4])[0]
print("ttl", ttl, "data", data.decode(), flush=True)
