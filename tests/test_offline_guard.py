"""The network guard itself: a test that reaches outside loopback must fail."""

import socket

import pytest



def test_non_loopback_connection_is_blocked():
    with pytest.raises(RuntimeError, match="must work offline"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)


def test_non_loopback_name_lookup_is_blocked():
    with pytest.raises(RuntimeError, match="must work offline"):
        socket.getaddrinfo("huggingface.co", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
