<?php
// Binds the sockets named on the command line ('tcp@127.0.0.1', 'udp@::1', port 0 = any), prints them as
// JSON ([{protocol, address, port}]) and holds them until stdin closes or the process is killed.
$held = [];
$out = [];
foreach (array_slice($argv, 1) as $spec) {
    [$proto, $host] = explode('@', $spec, 2);
    $bracketed = strpos($host, ':') !== false ? "[$host]" : $host;
    $s = $proto === 'tcp'
        ? stream_socket_server("tcp://$bracketed:0", $errno, $errstr)
        : stream_socket_server("udp://$bracketed:0", $errno, $errstr, STREAM_SERVER_BIND);
    if (!$s) {
        fwrite(STDERR, "$spec: $errstr\n");
        exit(1);
    }
    $name = stream_socket_get_name($s, false);
    $held[] = $s;
    $out[] = ['protocol' => $proto, 'address' => $host, 'port' => (int) substr($name, strrpos($name, ':') + 1)];
}
echo json_encode($out), "\n";
stream_get_contents(STDIN);
