#pragma once

#include <string>
#include <vector>

namespace fue {

// A bound, listening, non-blocking TCP socket of ours: SO_REUSEADDR (a restart may bind while old
// connections sit in TIME_WAIT) but never SO_REUSEPORT, which cpp-httplib sets and which would
// let a second process share the port and split scrapes between two configs. "::" listens on
// IPv6 and IPv4 alike. Throws std::runtime_error in Go's words, as node_exporter reports it:
// "listen tcp 127.0.0.1:9867: bind: address already in use".
int open_listen_socket(const std::string& host, int port, int backlog);

// The port a listening socket is bound to (for port 0).
int bound_port(int fd);

// "host:port" as Go prints it: IPv6 hosts in brackets.
std::string join_host_port(const std::string& host, int port);

// Listening sockets passed by systemd socket activation (LISTEN_PID, LISTEN_FDS), made
// non-blocking; empty when this process was not socket-activated.
std::vector<int> systemd_listen_sockets();

}  // namespace fue
