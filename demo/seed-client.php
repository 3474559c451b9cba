<?php
// A PHP client for a Socket Lab listener: sends one line, prints the reply.
$port = (int)($argv[1] ?? 8880);
$fp = fsockopen('127.0.0.1', $port, $errno, $errstr, 5) or die("$errstr ($errno)\n");
fwrite($fp, "hello from PHP\n");
echo fread($fp, 1024), "\n";
fclose($fp);
