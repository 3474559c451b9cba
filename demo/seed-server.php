<?php
// The lesson's server, with its two bugs fixed: it binds the port it names, and closes $spawn.
$port = (int)($argv[1] ?? 8880);
$socket = socket_create(AF_INET, SOCK_STREAM, 0) or die("socket_create failed\n");
socket_bind($socket, '127.0.0.1', $port) or die(socket_strerror(socket_last_error($socket)) . "\n");
socket_listen($socket, 3) or die("socket_listen failed\n");
echo "listening on 127.0.0.1:$port\n";
$spawn = socket_accept($socket) or die("socket_accept failed\n");
$input = socket_read($spawn, 1024);
echo "received: $input\n";
socket_write($spawn, "我是返回的数据");
socket_close($spawn);
socket_close($socket);
