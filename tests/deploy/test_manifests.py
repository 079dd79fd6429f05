"""The deployment as written: the Kubernetes manifests (rendered by `kubectl kustomize`, offline),
the nginx config (the template rendered, then run in Debian's nginx on loopback), the Dockerfiles.

Nothing here is deployed or built (no cluster, no registry, no Docker daemon); what can be run
is: kustomize, nginx, and the rules the public meets at nginx's door.
"""
from __future__ import annotations

import ast
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, List, Set

import pytest
import requests
import yaml

from deploy.nginx.render import KUBERNETES, TEMPLATE, render
from serving.guard import Limits
from serving.messages import message
from tests.support.servers import REPO_ROOT, free_port
from tests.support.services import running_nginx

KUBERNETES_DIR = REPO_ROOT / "deploy" / "kubernetes"
DOCKER_DIR = REPO_ROOT / "deploy" / "docker"
NGINX = Path("/usr/sbin/nginx")
# The environment the Rasa replicas need (the contract between the pieces, docs/deploy.md).
CONTRACT = {
    "TRACKER_STORE_URL", "LOCK_STORE_URL", "ACTION_ENDPOINT_URL", "ALLOWED_ORIGINS",
    "RASA_API_TOKEN", "SANIC_PROXIES_COUNT",
}
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|_KEY$")
PLACEHOLDER = "replace-me"


def kubectl() -> str:
    found = shutil.which("kubectl") or ("/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None)
    if not found:
        pytest.fail("kubectl is missing: these tests render the manifests with `kubectl kustomize` "
                    "(install kubectl 1.27 or later, whose kustomize is v5)")
    return found


def kustomize(directory: Path) -> List[dict]:
    result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True)
    assert result.returncode == 0, f"kubectl kustomize {directory} failed (kubectl 1.27+ needed):\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """deploy/ as committed, with secrets.env made from its example (a real one is never read)."""
    root = tmp_path_factory.mktemp("deploy-checkout")
    shutil.copytree(REPO_ROOT / "deploy", root / "deploy", ignore=shutil.ignore_patterns("secrets.env", "__pycache__"))
    kube = root / "deploy" / "kubernetes"
    shutil.copy(kube / "secrets.env.example", kube / "secrets.env")
    return root


@pytest.fixture(scope="module")
def objects(checkout) -> List[dict]:
    return kustomize(checkout / "deploy" / "kubernetes")


def named(objects: List[dict], kind: str, name: str) -> dict:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r}, found {len(found)}"
    return found[0]


def generated(objects: List[dict], kind: str, prefix: str) -> dict:
    """A ConfigMap or Secret from a kustomize generator (its name has a hash suffix)."""
    found = [o for o in objects if o["kind"] == kind and re.fullmatch(rf"{prefix}-[a-z0-9]{{10}}", o["metadata"]["name"])]
    assert len(found) == 1, f"expected one generated {kind} {prefix}-*, found {len(found)}"
    return found[0]


def pod_specs(objects: List[dict]) -> Iterator[tuple]:
    for o in objects:
        if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            yield o, o["spec"]["template"]["spec"]


def container(objects: List[dict], kind: str, name: str) -> dict:
    [only] = named(objects, kind, name)["spec"]["template"]["spec"]["containers"]
    return only


def environment(objects: List[dict], spec: dict) -> Dict[str, str]:
    """The container's variables: name -> where the value comes from. Checks that every $(VAR) in
    a value names a variable defined before it, as Kubernetes expands only those."""
    env: Dict[str, str] = {}
    for source in spec.get("envFrom", []):
        if "configMapRef" in source:
            ref = source["configMapRef"]["name"]
            data = named(objects, "ConfigMap", ref).get("data", {})
        else:
            ref = source["secretRef"]["name"]
            data = named(objects, "Secret", ref).get("data", {})
        env.update({key: f"from {ref}" for key in data})
    for variable in spec.get("env", []):
        value = variable.get("value")
        if value is not None:
            for reference in re.findall(r"\$\((\w+)\)", value):
                assert reference in env, f"{variable['name']} uses $({reference}), which is not defined before it"
            env[variable["name"]] = value
        else:
            source = variable["valueFrom"]
            ((kind, ref),) = source.items()
            holder = named(objects, "Secret" if kind == "secretKeyRef" else "ConfigMap", ref["name"])
            assert ref["key"] in holder.get("data", {}), f"{variable['name']}: {ref['name']} has no key {ref['key']}"
            env[variable["name"]] = kind
    return env


# -- Kubernetes ---------------------------------------------------------------------------------
def test_kustomize_renders_the_committed_manifests(objects):
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for expected in [("Deployment", "rasa"), ("Deployment", "actions"), ("Deployment", "redis"),
                     ("StatefulSet", "postgres"), ("Deployment", "nginx")]:
        assert expected in kinds, f"{expected} is missing from the rendered manifests"
    assert all(o["metadata"].get("namespace") == KUBERNETES.namespace for o in objects if o["kind"] != "Namespace")


def test_leads_are_stored_in_the_shared_database_and_sent_by_one_worker(objects):
    """The action server stores leads and deletes a visitor's data in PostgreSQL, never in a file
    inside its container; the worker reads the same database and has the notification settings."""
    for kind, name in [("Deployment", "actions"), ("Deployment", "leads-worker")]:
        env = environment(objects, container(objects, kind, name))
        assert env["LEADS_DB_URL"].startswith("postgresql://"), name
        assert env["LEADS_DB_URL"].split("://", 1)[1] == environment(
            objects, container(objects, "Deployment", "rasa"))["TRACKER_STORE_URL"].split("://", 1)[1], name
    worker = container(objects, "Deployment", "leads-worker")
    assert worker["command"][:3] == ["python", "-m", "leads.worker"]
    heartbeat = worker["command"][worker["command"].index("--heartbeat") + 1]
    for probe in ("readinessProbe", "livenessProbe"):
        check = worker[probe]["exec"]["command"]
        assert check[:4] == ["python", "-m", "leads.worker", "--alive"] and heartbeat in check, probe
    assert worker["image"] == container(objects, "Deployment", "actions")["image"]
    assert not worker.get("ports")
    assert named(objects, "Deployment", "leads-worker")["spec"]["replicas"] == 1
    assert not [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "leads-worker"]
    env = environment(objects, worker)
    assert {"SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_FROM", "LEADS_EMAIL_TO", "LEADS_WEBHOOK_URL"} <= set(env)
    assert env["SMTP_PASSWORD"] == env["LEADS_WEBHOOK_SECRET"] == "secretKeyRef"


def test_the_worker_reads_the_settings_it_is_given(objects):
    """The settings as rendered make a valid configuration for leads/notify.py (none sends nothing)."""
    from leads.consultancy import load_consultancy
    from leads.notify import notification_settings

    settings = generated(objects, "ConfigMap", "route-advisor-settings")["data"]
    assert notification_settings(load_consultancy(), {**settings, "SMTP_PASSWORD": ""}).email is None
    configured = {**settings, "SMTP_HOST": "smtp.example.co.uk", "SMTP_USERNAME": "leads", "SMTP_PASSWORD": "x"}
    assert notification_settings(load_consultancy(), configured).email.port == 587


def test_rasa_runs_several_replicas_and_the_action_server_two(objects):
    assert named(objects, "Deployment", "rasa")["spec"]["replicas"] >= 2
    assert named(objects, "Deployment", "actions")["spec"]["replicas"] >= 2
    # One Redis and one PostgreSQL: the lock store and the tracker store are shared, not replicated.
    assert named(objects, "Deployment", "redis")["spec"]["replicas"] == 1
    assert named(objects, "StatefulSet", "postgres")["spec"]["replicas"] == 1


def test_only_nginx_faces_the_internet(objects):
    services = [o for o in objects if o["kind"] == "Service"]
    public = [s["metadata"]["name"] for s in services if s["spec"].get("type", "ClusterIP") in ("LoadBalancer", "NodePort")]
    assert public == ["nginx"], f"public Services: {public}"
    assert named(objects, "Service", "nginx")["spec"]["selector"] == {"app.kubernetes.io/name": "nginx"}
    assert named(objects, "Service", "nginx")["spec"].get("externalTrafficPolicy") == "Local", \
        "nginx must see the visitor's address (rate limits, socket.io stickiness)"
    assert named(objects, "Service", "actions")["spec"]["type"] == "ClusterIP"
    assert not [o for o in objects if o["kind"] == "Ingress"], "an Ingress would expose more than nginx"
    assert not [c for _, spec in pod_specs(objects) for c in spec["containers"]
                for p in c.get("ports", []) if "hostPort" in p], "a hostPort bypasses nginx"
    # The private pieces accept connections only from the piece that uses them.
    for name, clients in [("rasa", ["nginx"]), ("actions", ["rasa"]), ("redis", ["rasa"]),
                          ("postgres", ["rasa", "actions", "leads-worker"])]:
        policy = named(objects, "NetworkPolicy", name)
        [rule] = policy["spec"]["ingress"]
        assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": c}}} for c in clients], name
    # The leads worker listens on nothing: nothing may connect to it.
    worker_policy = named(objects, "NetworkPolicy", "leads-worker")["spec"]
    assert worker_policy["policyTypes"] == ["Ingress"] and not worker_policy.get("ingress")


def scalars(data) -> Iterator[str]:
    """Every key and value in a YAML document, as text (where Rasa expands ${VAR})."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from scalars(value)
    elif isinstance(data, list):
        for item in data:
            yield from scalars(item)
    elif data is not None:
        yield str(data)


def test_rasa_gets_every_setting_the_stack_needs(objects):
    env = environment(objects, container(objects, "Deployment", "rasa"))
    needed = set(CONTRACT)
    for config in ("endpoints.yml", "credentials.yml"):
        needed |= set(re.findall(r"\$\{(\w+)\}", " ".join(scalars(yaml.safe_load((REPO_ROOT / config).read_text())))))
    missing = needed - set(env)
    assert not missing, f"the Rasa container lacks {sorted(missing)}"
    assert env["RASA_API_TOKEN"] == "secretKeyRef"
    assert env["TRACKER_STORE_URL"].startswith("postgresql://"), "Rasa's SQL dialect must be postgresql"
    assert env["LOCK_STORE_URL"].startswith("redis://")
    settings = generated(objects, "ConfigMap", "route-advisor-settings")["data"]
    assert settings["SANIC_PROXIES_COUNT"] == "1"
    assert settings["ACTION_ENDPOINT_URL"] == "http://actions:5055/webhook"
    assert named(objects, "Service", "actions")["spec"]["ports"][0]["port"] == 5055


def test_every_setting_is_documented():
    documented = set(re.findall(r"^\| `(\w+)` \|", (REPO_ROOT / "docs" / "deploy.md").read_text(), re.M))
    keys = set()
    for env_file in ("settings.env", "secrets.env.example"):
        for line in (KUBERNETES_DIR / env_file).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                keys.add(line.split("=", 1)[0])
    assert keys | CONTRACT <= documented, f"not in docs/deploy.md's settings: {sorted((keys | CONTRACT) - documented)}"


def test_the_documented_defaults_are_the_code_s():
    from serving.patches import DEFAULT_ACTION_TIMEOUT
    from serving.stores import DEFAULT_CONNECT_TIMEOUT

    rows = {name: cells.split(" | ")[-1].strip(" |`") for name, cells in
            re.findall(r"^\| `(\w+)` \|(.*)$", (REPO_ROOT / "docs" / "deploy.md").read_text(), re.M)}
    limits, endpoints = Limits(), yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())
    assert rows["MAX_MESSAGE_CHARS"] == str(limits.max_message_chars)
    assert rows["MAX_BODY_BYTES"] == str(limits.max_body_bytes)
    assert rows["RATE_LIMIT_VISITOR"] == f"{limits.visitor.per_minute:g} (burst {limits.visitor.burst})"
    assert rows["RATE_LIMIT_IP"] == f"{limits.ip.per_minute:g} (burst {limits.ip.burst})"
    assert rows["ACTION_TIMEOUT"] == f"{DEFAULT_ACTION_TIMEOUT:g}"
    settings = dict(line.split("=", 1) for line in (KUBERNETES_DIR / "settings.env").read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
    assert rows["STORE_CONNECT_TIMEOUT"] == f"{DEFAULT_CONNECT_TIMEOUT:g} ({settings['STORE_CONNECT_TIMEOUT']} in Kubernetes)"
    assert rows["ACTION_ENDPOINT_URL"] == endpoints["action_endpoint"]["url"]
    assert rows["TRACKER_STORE_URL"] == endpoints["tracker_store"]["url"]
    for name in ("POSTGRES_ADDRESS", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_SSLMODE", "REDIS_ADDRESS"):
        assert rows[name] == settings[name], name


def test_probes_ask_the_health_check(objects):
    rasa = container(objects, "Deployment", "rasa")
    for probe in ("startupProbe", "readinessProbe"):
        assert rasa[probe]["httpGet"]["path"] == "/health", probe
    # Liveness asks whether the server answers at all (the REST channel's own GET): a database
    # outage must take replicas out of rotation, not restart them all.
    assert rasa["livenessProbe"]["httpGet"]["path"] == "/webhooks/rest/"
    actions = container(objects, "Deployment", "actions")
    for probe in ("readinessProbe", "livenessProbe"):
        assert actions[probe]["httpGet"]["path"] == "/health", probe
    for _, spec in pod_specs(objects):
        for c in spec["containers"]:
            assert "readinessProbe" in c and "livenessProbe" in c, f"{c['name']} has no probes"


def test_no_secret_is_committed(objects):
    ignored = subprocess.run(["git", "check-ignore", "-q", str(KUBERNETES_DIR / "secrets.env")], cwd=REPO_ROOT)
    assert ignored.returncode == 0, "deploy/kubernetes/secrets.env must be gitignored"
    tracked = subprocess.run(["git", "ls-files", "deploy"], cwd=REPO_ROOT, capture_output=True, text=True).stdout.split()
    assert not [f for f in tracked if f.endswith("secrets.env")], "a secrets.env is committed"
    example = [line.split("=", 1) for line in (KUBERNETES_DIR / "secrets.env.example").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert example and all(value in (PLACEHOLDER, "") for _, value in example), example

    secrets = [o for o in objects if o["kind"] == "Secret"]
    assert [s["metadata"]["name"] for s in secrets] == [generated(objects, "Secret", "route-advisor-secrets")["metadata"]["name"]]
    for key, value in secrets[0]["data"].items():
        assert base64.b64decode(value).decode() in (PLACEHOLDER, ""), key
    for config_map in (o for o in objects if o["kind"] == "ConfigMap"):
        assert not [k for k in config_map.get("data", {}) if SECRET_NAME.search(k)], config_map["metadata"]["name"]
    for _, spec in pod_specs(objects):
        for c in spec["containers"]:
            for variable in c.get("env", []):
                value = variable.get("value", "")
                if SECRET_NAME.search(variable["name"]):
                    assert "secretKeyRef" in variable.get("valueFrom", {}), f"{c['name']}: {variable['name']} is a literal"
                # A URL's password is a reference to the secret, never written out.
                for password in re.findall(r"://[^/@]*:([^@/]+)@", value):
                    assert re.fullmatch(r"\$\(\w*PASSWORD\)", password), f"{c['name']}: {variable['name']}"


def test_pods_run_unprivileged(objects):
    """The namespace enforces Kubernetes' "restricted" profile; each pod must satisfy it."""
    assert named(objects, "Namespace", KUBERNETES.namespace)["metadata"]["labels"][
        "pod-security.kubernetes.io/enforce"] == "restricted"
    for owner, spec in pod_specs(objects):
        name = owner["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        assert spec.get("enableServiceLinks") is False, f"{name}: service links would add REDIS_PORT=tcp://... and the like"
        for c in spec["containers"]:
            assert c["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert c["securityContext"]["capabilities"]["drop"] == ["ALL"], name
            assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"], name
            image = c["image"]
            assert re.search(r":[0-9][\w.-]*$", image), f"{name}: image {image!r} is not pinned to a version"


def test_rasa_is_sized_for_its_model(objects):
    """A loaded replica holds about 1.1 GB (ps -o rss, docs/deploy.md): the request covers it."""
    resources = container(objects, "Deployment", "rasa")["resources"]
    assert resources["requests"]["memory"] == "1280Mi" and resources["limits"]["memory"] == "2Gi"


def test_nginx_serves_the_rendered_template(objects):
    config_map = generated(objects, "ConfigMap", "nginx-config")
    assert config_map["data"]["nginx.conf"] == KUBERNETES.render(), \
        "deploy/kubernetes/nginx.conf is stale: python -m deploy.nginx.render --kubernetes -o deploy/kubernetes/nginx.conf"
    # socket.io's consistent hash places servers by name: each pod must be a name of its own.
    [socketio] = re.findall(r"upstream rasa_socketio \{[^}]*\}", config_map["data"]["nginx.conf"])
    assert "consistent" in socketio and f"service={KUBERNETES.rasa_port_name} resolve" in socketio
    kustomization = yaml.safe_load((KUBERNETES_DIR / "kustomization.yaml").read_text())
    assert kustomization["namespace"] == KUBERNETES.namespace
    rasa = named(objects, "Service", KUBERNETES.rasa_service)
    assert rasa["spec"]["clusterIP"] == "None", "nginx balances over the pods itself: the Service must be headless"
    assert [p["name"] for p in rasa["spec"]["ports"]] == [KUBERNETES.rasa_port_name], \
        "nginx finds the pods through the SRV records of this named port"
    nginx = named(objects, "Deployment", "nginx")["spec"]["template"]["spec"]
    [mount] = [m for m in nginx["containers"][0]["volumeMounts"] if m["name"] == "config"]
    [volume] = [v for v in nginx["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    command = nginx["containers"][0]["command"]
    assert command[command.index("-c") + 1] == f"{mount['mountPath']}/nginx.conf"
    assert nginx["containers"][0]["ports"][0]["containerPort"] == int(KUBERNETES.listen)
    version = re.search(r":(\d+)\.(\d+)\.(\d+)", nginx["containers"][0]["image"]).groups()
    assert tuple(map(int, version)) >= (1, 27, 3), "`server ... resolve` needs nginx 1.27.3 or later"


def test_managed_postgres_overlay_drops_the_statefulset(checkout):
    objects = kustomize(checkout / "deploy" / "overlays" / "managed-postgres")
    assert not [o for o in objects if o["metadata"]["name"] == "postgres"]
    settings = generated(objects, "ConfigMap", "route-advisor-settings")["data"]
    assert settings["POSTGRES_SSLMODE"] == "require"
    assert settings["POSTGRES_ADDRESS"] != "postgres:5432"
    env = environment(objects, container(objects, "Deployment", "rasa"))
    assert CONTRACT <= set(env)


# -- nginx --------------------------------------------------------------------------------------
def nginx_string(config: str, location: str) -> str:
    """The body a named location returns, with nginx's string escapes undone."""
    pattern = r"location " + re.escape(location) + r" \{.*?return \d+ \"((?:[^\"\\]|\\.)*)\";"
    match = re.search(pattern, config, re.S)
    assert match, f"no `return` in location {location}"
    return re.sub(r"\\([\"\\])", r"\1", match.group(1))


def test_the_words_nginx_answers_with_are_messages_yml():
    config = (KUBERNETES_DIR / "nginx.conf").read_text()
    limit = Limits().max_message_chars
    for location, name, values in [("@slow_down", "slow_down", {}), ("@too_large", "too_long", {"limit": limit}),
                                   ("@unavailable", "unavailable", {})]:
        [reply] = json.loads(nginx_string(config, location))
        assert reply["text"] == message(name, **values), location


def test_nginx_exposes_only_the_channels_and_health():
    locations = re.findall(r"^\s*location\s+(.+?)\s*\{", TEMPLATE.read_text(), re.M)
    public = [loc for loc in locations if not loc.startswith("@")]
    assert public == ["= /webhooks/rest/webhook", "/socket.io/", "= /health", "/"], public
    assert re.search(r"location / \{\s*return 404 ", TEMPLATE.read_text())


def require_nginx() -> str:
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: run `make services-deps` (apt-get install nginx)")
    return str(NGINX)


def test_loopback_config_passes_nginx_t_as_an_unprivileged_user():
    binary = require_nginx()
    # Not pytest's tmp_path: its parent is private to root, and nginx runs here as `nobody`.
    tmp_path = Path(tempfile.mkdtemp(prefix="route-advisor-nginx-t-"))
    try:
        check = nginx_t(binary, tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)
    assert check.returncode == 0, check.stderr
    assert "test is successful" in check.stderr


def nginx_t(binary: str, tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "logs").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(render(["127.0.0.1:5006", "127.0.0.1:5007"], f"127.0.0.1:{free_port()}"))
    as_user: List[str] = []
    if os.geteuid() == 0:
        for path in [tmp_path, tmp_path / "logs", conf]:
            shutil.chown(path, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    return subprocess.run([*as_user, binary, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def nginx_without_rasa():
    """nginx in front of two Rasa addresses where nothing listens: its own answers, alone."""
    require_nginx()
    port = free_port()
    with running_nginx(render([f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"], f"127.0.0.1:{port}"), port) as nginx:
        yield nginx


def test_nothing_but_the_channels_and_health_is_reachable(nginx_without_rasa):
    url = nginx_without_rasa.url
    for path in ["/", "/model/parse", "/conversations/x/tracker", "/status", "/webhooks/rest/", "/webhooks/socketio/",
                 "/healthz", "/health/x"]:
        reply = requests.get(url + path, timeout=5)
        assert reply.status_code == 404, path
        assert reply.json() == {"error": "not found"}, path
    assert requests.get(url + "/webhooks/rest/webhook", timeout=5).status_code == 405


def test_rasa_down_is_the_unavailable_reply(nginx_without_rasa):
    reply = requests.post(nginx_without_rasa.url + "/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}, timeout=10)
    assert reply.status_code == 503
    assert reply.json() == [{"recipient_id": "", "text": message("unavailable")}]


def test_an_oversized_body_is_413_with_the_too_long_reply(nginx_without_rasa):
    limits = Limits()
    body = json.dumps({"sender": "a", "message": "x" * limits.max_body_bytes})
    reply = requests.post(nginx_without_rasa.url + "/webhooks/rest/webhook", data=body,
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert reply.status_code == 413
    assert reply.json() == [{"recipient_id": "", "text": message("too_long", limit=limits.max_message_chars)}]


def test_too_many_requests_from_one_address_is_429_with_the_slow_down_reply(nginx_without_rasa):
    url = nginx_without_rasa.url + "/webhooks/rest/webhook"
    burst = Limits().ip.burst
    started = time.monotonic()
    with requests.Session() as session:
        statuses = [session.post(url, json={"sender": "b", "message": "hi"}, timeout=10) for _ in range(burst + 5)]
    assert time.monotonic() - started < 5, "too slow to test the burst"
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert limited[0].json() == [{"recipient_id": "", "text": message("slow_down")}]
    assert int(limited[0].headers["Retry-After"]) >= 1


# -- Docker -------------------------------------------------------------------------------------
def pins() -> Dict[str, str]:
    found = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def dockerfile(name: str) -> str:
    return (DOCKER_DIR / f"Dockerfile.{name}").read_text()


def copied(text: str) -> List[str]:
    """The build-context paths a Dockerfile's COPY instructions take."""
    sources = []
    for line in re.findall(r"^COPY\s+(.+)$", text, re.M):
        words = [w for w in line.split() if not w.startswith("--")]
        assert "--from" not in line
        sources += words[:-1]
    return [s.rstrip("/") for s in sources]


def test_dockerfiles_use_the_versions_requirements_txt_pins():
    versions = pins()
    assert re.search(rf"^FROM rasa/rasa:{re.escape(versions['rasa'])}(-[a-z-]+)?\s*$", dockerfile("rasa"), re.M), \
        f"Dockerfile.rasa must start FROM rasa/rasa:{versions['rasa']}"
    assert re.search(rf"^FROM rasa/rasa-sdk:{re.escape(versions['rasa-sdk'])}\s*$", dockerfile("actions"), re.M), \
        f"Dockerfile.actions must start FROM rasa/rasa-sdk:{versions['rasa-sdk']}"
    for name in ("rasa", "actions"):
        assert re.search(r"^USER 1001\s*$", dockerfile(name).strip().split("USER root")[-1], re.M), \
            f"Dockerfile.{name} must end as the image's non-root user"
        assert "requirements.txt" in copied(dockerfile(name)), f"Dockerfile.{name} installs at requirements.txt's pins"


def project_modules_imported(start: Set[str]) -> Set[str]:
    """Every module of this project reachable by imports from `start` (module names)."""
    packages = {p.name for p in REPO_ROOT.iterdir() if (p / "__init__.py").exists()}
    seen: Set[str] = set()
    todo = list(start)
    while todo:
        module = todo.pop()
        if module in seen or module.split(".")[0] not in packages:
            continue
        base = REPO_ROOT.joinpath(*module.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if not path.exists():
            continue
        seen.add(module)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        package = parts if path.name == "__init__.py" else parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                origin = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else node.module
                todo += [origin] + [f"{origin}.{alias.name}" for alias in node.names]
    return seen


def test_each_image_holds_the_code_it_imports():
    credentials = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    endpoints = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text())
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    classes = [name for name in credentials if "." in name]
    classes += [section["type"] for section in endpoints.values() if isinstance(section, dict) and "." in str(section.get("type"))]
    classes += [c["name"] for c in config["pipeline"] + config.get("policies", []) if "." in c["name"]]
    rasa_start = {name.rsplit(".", 1)[0] for name in classes}
    actions_start = {f"actions.{p.stem}" for p in (REPO_ROOT / "actions").glob("*.py")}
    for image, start in [("rasa", rasa_start), ("actions", actions_start)]:
        needed = {m.split(".")[0] for m in project_modules_imported(start)}
        assert needed, image
        missing = needed - set(copied(dockerfile(image)))
        assert not missing, f"Dockerfile.{image} does not copy {sorted(missing)}, which its code imports"
    assert "models/route-advisor.tar.gz" in copied(dockerfile("rasa"))
    assert "build/spacy/dist" in copied(dockerfile("rasa")), "the packaged spaCy pipeline (make spacy)"
    assert re.search(r"--model \"\$\{RASA_MODEL:-models/route-advisor.tar.gz\}\"", (REPO_ROOT / "deploy" / "rasa-run.sh").read_text())


def test_dockerignore_lets_in_exactly_what_the_dockerfiles_copy():
    lines = [line.strip() for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*", ".dockerignore starts by leaving everything out"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    used = set(copied(dockerfile("rasa"))) | set(copied(dockerfile("actions")))
    assert used == allowed, f"copied but ignored: {sorted(used - allowed)}; let in but unused: {sorted(allowed - used)}"
