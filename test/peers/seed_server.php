<?php
// The seed lesson's PHP server, with its two bugs fixed: the port is passed to socket_bind
// (the lesson forgot it, so the OS picked a random port) and $spawn (not $$spawn) is closed.
// Usage: php seed_server.php PORT   — prints "listening" once ready, serves one client, exits.
$port = (int)($argv[1] ?? 8880);
$socket = socket_create(AF_INET, SOCK_STREAM, 0) or die("socket_create failed\n");
socket_set_option($socket, SOL_SOCKET, SO_REUSEADDR, 1);
socket_bind($socket, '127.0.0.1', $port) or die("socket_bind failed: " . socket_strerror(socket_last_error()) . "\n");
socket_listen($socket, 3) or die("socket_listen failed\n");
echo "listening\n";
$spawn = socket_accept($socket) or die("socket_accept failed\n");
$input = socket_read($spawn, 1024);
echo "received: " . $input . "\n";
$output = "我是返回的数据";
socket_write($spawn, $output, strlen($output));
socket_close($spawn);
socket_close($socket);
