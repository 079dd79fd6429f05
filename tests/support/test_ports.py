"""Ports for test servers: outside the range outgoing connections take, and never reused."""
import socket

from tests.support import servers
from tests.support.servers import ephemeral_ports, free_port


def test_free_ports_are_below_the_ephemeral_range_distinct_and_bindable():
    low, _ = ephemeral_ports()
    ports = [free_port() for _ in range(50)]
    assert all(1024 < p < low for p in ports)
    assert len(set(ports)) == len(ports)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", ports[-1]))


def test_a_port_in_use_or_handed_out_before_is_skipped(monkeypatch):
    handed_out, in_use, free = free_port(), free_port(), free_port()
    servers._HANDED_OUT.discard(in_use)
    servers._HANDED_OUT.discard(free)
    draws = iter([handed_out, in_use, free])
    monkeypatch.setattr(servers.random, "randint", lambda low, high: next(draws))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", in_use))
        s.listen()
        assert free_port() == free


def test_two_pytest_workers_draw_from_separate_ranges(monkeypatch):
    low, _ = ephemeral_ports()
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    ranges = []
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        ranges.append(servers._port_range())
        first, last = ranges[-1]
        assert all(first <= free_port() <= last for _ in range(20))
    (first0, last0), (first1, last1) = ranges
    assert 1024 < first0 <= last0 < first1 <= last1 < low
