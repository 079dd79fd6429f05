"""The nginx config in front of the Rasa replicas, from deploy/nginx/route-advisor.conf.template.

One template serves every deployment, so the rules the public meets are the same everywhere:

    from deploy.nginx.render import render
    config = render(["127.0.0.1:5006", "127.0.0.1:5007"], "127.0.0.1:8080")
    # then: nginx -p <prefix> -c <prefix>/nginx.conf -g 'daemon off;'   (any user)

    python -m deploy.nginx.render --upstream 127.0.0.1:5006 --upstream 127.0.0.1:5007 \\
        --listen 127.0.0.1:8080 -o /srv/route-advisor-nginx/nginx.conf
    python -m deploy.nginx.render --kubernetes -o deploy/kubernetes/nginx.conf

By default every path is relative to nginx's prefix (`-p`): the pid file `nginx.pid`, logs in
`logs/` (which must exist) and temporary files in the prefix itself, so nginx runs unprivileged.
The Kubernetes copy (`KUBERNETES`) is committed for kustomize's configMapGenerator and checked
against this rendering by tests/deploy/test_manifests.py.

What comes from elsewhere, never repeated here: the words of the 429, 413 and 503 bodies
(serving/messages.yml, in the REST channel's reply shape), the body size cap and the per-address
REST rate (serving/guard.py's defaults, so nginx limits the whole site as one Rasa process
limits itself).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:
    from serving.guard import Limits

TEMPLATE = Path(__file__).with_name("route-advisor.conf.template")
KUBERNETES_COPY = Path(__file__).resolve().parents[1] / "kubernetes" / "nginx.conf"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# host:port, an IPv4/IPv6 address with a port, or a bare port: nothing that could end a directive.
ADDRESS = re.compile(r"^((\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):)?[0-9]{1,5}$")
HOST = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")
CIDR = re.compile(r"^[0-9a-fA-F.:]+(/[0-9]{1,3})?$")
PATH = re.compile(r"^[A-Za-z0-9_./-]+$")
INDENT = "    "


@dataclass(frozen=True)
class SocketIOLimits:
    """Per client address on /socket.io/: HTTP requests (long-polling makes one per exchange, a
    websocket one in all) and connections held open. Messages themselves are limited inside
    the channel (serving/guard.py), because frames on an open websocket never pass nginx."""

    rate: str = "300r/m"
    burst: int = 100
    connections: int = 50


@dataclass(frozen=True)
class Kubernetes:
    """Where the ConfigMap's copy points: the Rasa pods, found through the DNS SRV records of their
    headless Service (port `rasa_port_name`) and looked up again as pods come and go (`resolve`
    needs nginx 1.27.3+); paths inside the container."""

    namespace: str = "route-advisor"
    rasa_service: str = "rasa-replicas"
    rasa_port_name: str = "http"
    cluster_domain: str = "cluster.local"
    dns: str = "kube-dns.kube-system.svc.cluster.local"
    listen: str = "8080"
    # An HTTP proxy in front of nginx (an ingress controller, a layer-7 load balancer): its CIDRs.
    trusted_proxies: Sequence[str] = ()
    settings: Mapping[str, object] = field(default_factory=lambda: dict(
        pid="/tmp/nginx.pid", error_log="stderr", access_log="/dev/stdout", temp_dir="/tmp",
        worker_processes=2,
    ))

    @property
    def rasa_upstream(self) -> str:
        return f"{self.rasa_service}.{self.namespace}.svc.{self.cluster_domain}"

    def render(self) -> str:
        return render(
            [self.rasa_upstream], self.listen, resolver=self.dns, service=self.rasa_port_name,
            trusted_proxies=self.trusted_proxies, **self.settings,
        )


KUBERNETES = Kubernetes()


def nginx_string(text: str) -> str:
    """`text` escaped for a double-quoted nginx string. nginx would expand a `$`, so none may occur."""
    if "$" in text:
        raise ValueError(f"nginx would read '$' as a variable: {text!r}")
    return text.replace("\\", "\\\\").replace('"', '\\"')


def reply_body(text: str) -> str:
    """`text` as the REST channel's reply (a list of bot messages), escaped for nginx."""
    from channels.rest import replies

    return nginx_string(json.dumps(replies("", text), ensure_ascii=True))


def _checked(value: str, pattern: "re.Pattern[str]", what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"not a valid {what} for nginx: {value!r}")
    return value


def render(
    rasa_upstreams: Sequence[str],
    listen: str,
    *,
    pid: str = "nginx.pid",
    error_log: str = "logs/error.log",
    access_log: str = "logs/access.log",
    temp_dir: str = ".",
    worker_processes: Union[int, str] = 1,
    resolver: Optional[str] = None,
    service: Optional[str] = None,
    trusted_proxies: Sequence[str] = (),
    socketio: SocketIOLimits = SocketIOLimits(),
    limits: Optional["Limits"] = None,
) -> str:
    """The nginx config for Rasa at `rasa_upstreams` ("host:port" each), listening on `listen`.

    `pid`, `error_log`, `access_log` and `temp_dir` are relative to nginx's prefix unless
    absolute (`error_log` may be "stderr"). `resolver` (a DNS server) makes nginx re-resolve
    the upstream names while it runs; with `service` each upstream is a name whose DNS SRV
    records for that service list the replicas, each under its own name (which socket.io's
    consistent hash needs: it places servers by name). `trusted_proxies` are addresses or CIDRs of a load balancer
    in front whose X-Forwarded-For nginx believes (the client address is what the rate limits
    and socket.io's stickiness key on). `limits` is a serving.guard.Limits (default: its defaults).
    """
    from serving.guard import Limits, retry_after
    from serving.messages import message

    limits = limits if limits is not None else Limits()
    if not limits.ip.enabled:
        raise ValueError("nginx needs a per-address REST rate (serving.guard Limits.ip)")
    if not rasa_upstreams:
        raise ValueError("nginx needs at least one Rasa upstream")
    if service and not resolver:
        raise ValueError("DNS SRV upstreams (service) need a resolver")
    for address in rasa_upstreams:
        _checked(address, HOST if service else ADDRESS, "host name" if service else "address")
    _checked(listen, ADDRESS, "address")
    for path in (pid, error_log, access_log, temp_dir):
        _checked(path, PATH, "path")
    for proxy in trusted_proxies:
        _checked(proxy, CIDR, "address or CIDR")
    if not re.match(r"^[0-9]+r/[sm]$", socketio.rate):
        raise ValueError(f"not an nginx rate: {socketio.rate!r}")

    resolve = (f" service={_checked(service, re.compile(r'^[a-z0-9-]+$'), 'service')}" if service else "") + (
        " resolve" if resolver else ""
    )
    servers = "".join(
        f"{INDENT * 2}server {address}{resolve} max_fails=1 fail_timeout=10s;\n" for address in rasa_upstreams
    )
    ip_rate = limits.ip
    values: Dict[str, object] = {
        "worker_processes": worker_processes,
        "pid": pid,
        "error_log": error_log,
        "access_log": access_log,
        "temp_dir": temp_dir,
        "resolver": (
            f"{INDENT}# Upstream names are looked up again as pods come and go.\n"
            f"{INDENT}resolver {_checked(resolver, HOST, 'resolver')} "
            f"valid=10s ipv6=off;\n{INDENT}resolver_timeout 5s;\n"
            if resolver else ""
        ),
        "real_ip": (
            f"{INDENT}# The client address is the one the load balancer in front saw.\n"
            f"{INDENT}real_ip_header X-Forwarded-For;\n{INDENT}real_ip_recursive on;\n"
            + "".join(f"{INDENT}set_real_ip_from {proxy};\n" for proxy in trusted_proxies)
            if trusted_proxies else ""
        ),
        "max_body": limits.max_body_bytes,
        "rest_rate": f"{ip_rate.per_minute:g}r/m",
        "rest_burst": ip_rate.burst,
        "socketio_rate": socketio.rate,
        "socketio_burst": socketio.burst,
        "socketio_connections": socketio.connections,
        "rest_read_timeout": "60s",
        "socketio_read_timeout": "90s",
        "zone_rest": f"{INDENT * 2}zone rasa_rest 64k;\n" if resolver else "",
        "zone_socketio": f"{INDENT * 2}zone rasa_socketio 64k;\n" if resolver else "",
        "rasa_servers": servers,
        "retry_after": retry_after(60.0 / ip_rate.per_minute),
        "slow_down_body": reply_body(message("slow_down")),
        "too_large_body": reply_body(message("too_long", limit=limits.max_message_chars)),
        "unavailable_body": reply_body(message("unavailable")),
        "listen": listen,
    }
    return fill(TEMPLATE.read_text(encoding="utf-8"), values)


def fill(template: str, values: Mapping[str, object]) -> str:
    """`template` with each {{name}} replaced; a missing or an unused value is an error."""
    wanted = set(PLACEHOLDER.findall(template))
    if wanted != set(values):
        raise KeyError(f"template placeholders {sorted(wanted)} vs values {sorted(values)}")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), template)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.nginx.render", description=__doc__.split("\n\n")[0],
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--kubernetes", action="store_true",
                        help="the copy for the Kubernetes ConfigMap (deploy/kubernetes/nginx.conf)")
    target.add_argument("--upstream", action="append", metavar="HOST:PORT", help="a Rasa replica (repeat)")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="nginx's address (default 127.0.0.1:8080)")
    parser.add_argument("--trusted-proxy", action="append", default=[], metavar="CIDR",
                        help="a load balancer in front whose X-Forwarded-For is believed (repeat)")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    # Rendering imports Rasa (through serving/): keep its start-up chatter off the terminal.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    if args.kubernetes:
        config = KUBERNETES.render()
    else:
        config = render(args.upstream, args.listen, trusted_proxies=args.trusted_proxy)
    if args.output:
        args.output.write_text(config, encoding="utf-8")
    else:
        sys.stdout.write(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
