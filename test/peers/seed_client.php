<?php
// A PHP client in the style of the seed lesson: connect, write a request, read the reply, print it.
// Usage: php seed_client.php HOST PORT MESSAGE
[$_, $host, $port, $message] = $argv;
$socket = socket_create(strpos($host, ':') !== false ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die("socket_create failed\n");
socket_connect($socket, $host, (int)$port) or die("socket_connect failed: " . socket_strerror(socket_last_error()) . "\n");
socket_write($socket, $message, strlen($message));
$reply = socket_read($socket, 1024);
echo $reply;
socket_close($socket);
