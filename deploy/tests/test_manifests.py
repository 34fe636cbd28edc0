"""The production manifests agree with each other and with the services.

No Docker engine or cluster runs here, so nothing is started: the manifests are parsed and
cross-checked (compose against k8s, both against each service's Settings class and the topic
registry, Prometheus targets against compose, Alertmanager routing), and `promtool check config`
runs on the containers' Prometheus config.
"""

from __future__ import annotations

import importlib
import json
import posixpath
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from pydantic import BaseModel

from hotline_cli.main import build_parser
from hotline_enrich.settings import MIN_SECRET_LENGTH
from hotline_ingest.settings import Settings as IngestSettings
from hotline_ingest.signing import UnsignedRefusedError, signing_mode
from hotline_schemas import topics
from hotline_schemas.config import Retention
from hotline_schemas.privacy import DeadLetterKeyError, KeyRing
from hotline_simulator.signing import new_secret

DEPLOY = Path(__file__).resolve().parents[1]
REPO = DEPLOY.parent
COMPOSE_DIR = DEPLOY / "compose"
K8S = DEPLOY / "k8s"
SECRET_TEMPLATE = K8S / "secret.example.yaml"
ALERTMANAGER = DEPLOY / "alertmanager" / "alertmanager.yml"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"

# The port table of the README and the design: container ports of each service.
PORTS: dict[str, set[int]] = {
    "ingest": {8080},
    "enrich": {6066, 9466},
    "sink": {9465},
    "board": {8090},
    "follow": {9467},
    "kafka": {9092},
    "clickhouse": {9000, 8123},
    "prometheus": {9090},
    "alertmanager": {9093},
    "grafana": {3000},
}
METRICS_PORT = {"ingest": 8080, "enrich": 9466, "sink": 9465, "board": 8090, "follow": 9467}
PIPELINE = ("ingest", "enrich", "sink", "board", "follow")
# Pipeline services only some installations run: follow reads an Asterisk queue_log.
OPTIONAL = {"follow": "asterisk"}
JOBS = ("migrate", "topics", "retention")
INFRA = ("kafka", "clickhouse", "prometheus", "alertmanager", "grafana")
# Names that hold a secret: never a literal value in a manifest.
SECRET_NAME = re.compile(r"SECRET|PASSWORD")
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:?[?-][^}]*)?\}")

# Which Settings class reads each hotline container's environment (`module` means its
# `Settings`, `module:Class` another class).
SETTINGS = {
    "ingest": "hotline_ingest.settings",
    "enrich": "hotline_enrich.settings",
    "sink": "hotline_sink.settings",
    "migrate": "hotline_sink.settings",
    "topics": "hotline_cli.settings",
    "retention": "hotline_cli.settings",
    "board": "hotline_board.settings",
    "follow": "hotline_providers.settings:FollowSettings",
}
# The ClickHouse user of each process that logs in (users.d/hotline.xml, deploy/clickhouse).
CLICKHOUSE_ROLE = {
    "migrate": "writer",
    "retention": "writer",
    "sink": "writer",
    "board": "reader",
    "load-report": "reader",
}
# The services that build dead letters, and so seal them.
SEALERS = {"ingest", "enrich", "sink", "follow"}
USERS_XML = COMPOSE_DIR / "clickhouse" / "users.d" / "hotline.xml"
# (host field, port field, port) that must bind all interfaces inside a container.
BINDS = {
    "ingest": [("host", "port", 8080)],
    "enrich": [("web_host", "web_port", 6066), ("metrics_host", "metrics_port", 9466)],
    "sink": [("metrics_host", "metrics_port", 9465)],
    "board": [("host", "port", 8090)],
    "follow": [("metrics_host", "metrics_port", 9467)],
}
# What a secret in .env / the Secret stands for when a test builds a service's settings: any
# 32 characters, except where the service checks the format.
PLACEHOLDERS = {"HOTLINE_INGEST_WEBHOOK_SECRET": new_secret()}
WEBHOOK_SECRET = "HOTLINE_INGEST_WEBHOOK_SECRET"
# Allowed to differ between one-broker compose and the three-broker cluster.
DIFFERS_BY_DESIGN = {"HOTLINE_ENRICH_TOPIC_REPLICATION_FACTOR"}


def _docs(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def _yaml_files() -> list[Path]:
    roots = [COMPOSE_DIR, K8S, DEPLOY / "alertmanager", DEPLOY / "grafana" / "provisioning"]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in {".yml", ".yaml"})


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    (doc,) = _docs(COMPOSE_DIR / "compose.yaml")
    services: dict[str, Any] = doc["services"]
    return services


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in _docs(path)]


@pytest.fixture(scope="module")
def secret() -> dict[str, Any]:
    (doc,) = _docs(SECRET_TEMPLATE)
    assert doc["kind"] == "Secret"
    return doc  # type: ignore[no-any-return]


def _objects(k8s: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in k8s if o["kind"] == kind}


def _containers(workload: dict[str, Any], init: bool = True) -> Iterator[dict[str, Any]]:
    if workload["kind"] == "CronJob":
        workload = workload["spec"]["jobTemplate"]
    spec = workload["spec"]["template"]["spec"]
    yield from spec.get("initContainers", []) if init else []
    yield from spec["containers"]


def _pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def _compose_ports(service: dict[str, Any]) -> set[int]:
    published = {int(str(p).rsplit(":", 1)[-1]) for p in service.get("ports", [])}
    return published | {int(p) for p in service.get("expose", [])}


def _compose_env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in service.get("environment", {}).items()}


def _k8s_env(k8s: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """Every variable a container gets: ConfigMaps via envFrom, then env (secrets as `<secret>`)."""
    maps = _objects(k8s, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"{container['name']}: envFrom only for ConfigMaps"
        env.update(maps[source["configMapRef"]["name"]]["data"])
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        env[var["name"]] = "<secret>" if ref else str(var["value"])
    return env


def _k8s_hotline_containers(k8s: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The hotline containers by compose service name (migrate is the sink's initContainer)."""
    found: dict[str, dict[str, Any]] = {}
    for kind in ("Deployment", "Job", "CronJob"):
        for workload in _objects(k8s, kind).values():
            for container in _containers(workload):
                assert container["name"] not in found, f"two containers named {container['name']}"
                found[container["name"]] = container
    return found


def _settings_class(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "Settings")


def _settings_env_names(module: str) -> set[str]:
    """The variables a Settings class reads: its env_prefix + field, or the field's alias."""
    settings = _settings_class(module)
    prefix = settings.model_config.get("env_prefix", "")
    delimiter = settings.model_config.get("env_nested_delimiter") or "__"
    names = set()
    for field, info in settings.model_fields.items():
        alias = info.validation_alias
        assert alias is None or isinstance(alias, str), f"{module}.{field}: unsupported alias"
        base = (alias or f"{prefix}{field}").upper()
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= {f"{base}{delimiter}{sub}".upper() for sub in kind.model_fields}
        else:
            names.add(base)
    return names


def _memory_mib(quantity: str) -> float:
    units = {
        "Ki": 1 / 1024,
        "Mi": 1,
        "Gi": 1024,
        "K": 1e3 / 2**20,
        "M": 1e6 / 2**20,
        "G": 1e9 / 2**20,
    }
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", quantity)
    assert match, f"unreadable memory quantity {quantity!r}"
    return float(match[1]) * units[match[2]] if match[2] else float(match[1]) / 2**20


# --- every file ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_manifest_parses_into_mappings(path: Path) -> None:
    docs = _docs(path)
    assert docs, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in docs), path


def test_k8s_objects_live_in_the_hotline_namespace(k8s: list[dict[str, Any]]) -> None:
    for obj in k8s:
        if obj["kind"] == "Namespace":
            assert obj["metadata"]["name"] == "hotline"
        elif obj["kind"] != "Kustomization":
            assert obj["metadata"].get("namespace") == "hotline", obj["metadata"]["name"]


def test_kustomization_applies_everything_but_the_secret_template() -> None:
    (kustomization,) = _docs(K8S / "kustomization.yaml")
    expected = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", SECRET_TEMPLATE.name}
    assert set(kustomization["resources"]) == expected


# --- compose ---------------------------------------------------------------------------------


def test_compose_has_every_service(compose: dict[str, Any]) -> None:
    assert set(compose) == set(PIPELINE + JOBS + INFRA)


@pytest.mark.parametrize("name", PIPELINE + INFRA)
def test_compose_service_has_a_healthcheck_on_its_own_port(
    compose: dict[str, Any], name: str
) -> None:
    check = compose[name].get("healthcheck")
    assert check, f"{name} has no healthcheck"
    assert check.get("test"), f"{name} has an empty healthcheck"
    command = " ".join(check["test"]) if isinstance(check["test"], list) else check["test"]
    if name in (*PIPELINE, "prometheus", "alertmanager", "grafana"):
        (port,) = {int(p) for p in re.findall(r"https?://[\w.]+:(\d+)/", command)}
        assert port in PORTS[name], f"{name} healthcheck probes port {port}"


def test_compose_http_healthchecks_use_the_health_endpoints(compose: dict[str, Any]) -> None:
    assert "/readyz" in " ".join(compose["ingest"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(compose["board"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", PIPELINE + INFRA)
def test_compose_ports_match_the_port_table(compose: dict[str, Any], name: str) -> None:
    assert _compose_ports(compose[name]) == PORTS[name]


def test_compose_jobs_are_one_shot_and_gate_the_pipeline(compose: dict[str, Any]) -> None:
    for job in JOBS:
        assert compose[job].get("restart") == "no", job
        assert "healthcheck" not in compose[job]
    assert compose["migrate"]["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    assert compose["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    gates = {
        "ingest": {"topics"},
        "enrich": {"topics"},
        "sink": {"topics", "migrate"},
        "follow": {"topics"},
    }
    for service, jobs in gates.items():
        for job in jobs:
            condition = compose[service]["depends_on"][job]["condition"]
            assert condition == "service_completed_successfully", (service, job)


def test_compose_runs_one_image_with_hotline_subcommands(compose: dict[str, Any]) -> None:
    (image,) = {compose[name]["image"] for name in PIPELINE + JOBS}
    assert image == "hotline:local"
    build = compose["ingest"]["build"]
    assert (COMPOSE_DIR / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]).resolve() == DOCKERFILE
    assert [compose[name]["command"][0] for name in PIPELINE + JOBS] == [*PIPELINE, *JOBS]
    assert compose["topics"]["command"][:2] == ["topics", "create"]


def test_manifest_commands_exist_in_the_hotline_command(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert isinstance(sub.choices, dict)
    used = {compose[name]["command"][0] for name in PIPELINE + JOBS}
    used |= {c["args"][0] for c in _k8s_hotline_containers(k8s).values()}
    # The board is being built; once `hotline board` exists this covers it too.
    assert used - set(sub.choices) <= {"board"}


def test_compose_secrets_come_from_env_file_and_are_required(compose: dict[str, Any]) -> None:
    example = (COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")
    listed = dict(
        line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#")
    )
    assert all(value == "" for value in listed.values()), "no values in .env.example"
    referenced = set()
    for name, service in compose.items():
        for key, value in _compose_env(service).items():
            refs = INTERPOLATION.findall(value)
            referenced |= {ref for ref, _ in refs}
            assert all(mode.startswith(":?") for _, mode in refs), f"{name}.{key} has a default"
            if SECRET_NAME.search(key):
                assert refs, f"{name}.{key} is a literal secret"
    assert referenced == set(listed)


def test_compose_optional_services_need_their_profile(compose: dict[str, Any]) -> None:
    for name, service in compose.items():
        assert service.get("profiles", []) == ([OPTIONAL[name]] if name in OPTIONAL else [])


def test_compose_follow_reads_the_log_read_only_and_keeps_its_position(
    compose: dict[str, Any],
) -> None:
    follow = compose["follow"]
    env = _compose_env(follow)
    # `${VAR:-default}` holds a colon of its own.
    parts = [INTERPOLATION.sub("host-dir", v).split(":") for v in follow["volumes"]]
    mounts = {p[1]: p for p in parts}
    log_dir = posixpath.dirname(env["HOTLINE_FOLLOW_FILE"])
    assert mounts[log_dir][-1] == "ro"
    state = mounts[env["HOTLINE_FOLLOW_STATE_DIR"]]
    assert len(state) == 2, "the position must be writable"
    (doc,) = _docs(COMPOSE_DIR / "compose.yaml")
    assert state[0] in doc["volumes"], "a named volume, so the position outlives the container"
    assert "HOTLINE_FOLLOW_POSITION_FILE" not in env  # so it lands in the state directory


# --- compose against k8s and the services' settings --------------------------------------------


@pytest.mark.parametrize("name", PIPELINE + JOBS)
def test_compose_and_k8s_give_a_service_the_same_settings(
    compose: dict[str, Any], k8s: list[dict[str, Any]], name: str
) -> None:
    in_compose = _compose_env(compose[name])
    in_k8s = _k8s_env(k8s, _k8s_hotline_containers(k8s)[name])
    assert set(in_compose) == set(in_k8s)
    for key, value in in_compose.items():
        if INTERPOLATION.search(value):
            assert in_k8s[key] == "<secret>", f"{key} must come from the Secret in k8s"
        elif key not in DIFFERS_BY_DESIGN:
            assert in_k8s[key] == value, key


def test_every_configmap_and_secret_key_is_used_by_compose(
    compose: dict[str, Any], k8s: list[dict[str, Any]], secret: dict[str, Any]
) -> None:
    compose_names = {
        k for s in compose.values() for k in _compose_env(s) if k.startswith("HOTLINE")
    }
    maps = [m for n, m in _objects(k8s, "ConfigMap").items() if n.startswith("hotline-")]
    k8s_names = {k for m in maps for k in m["data"]} | set(secret["stringData"])
    assert k8s_names <= compose_names


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_compose_env_builds_the_services_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    env = _compose_env(compose[name])
    unknown = {k for k in env if k.startswith("HOTLINE_")} - _settings_env_names(SETTINGS[name])
    assert not unknown, f"{name} does not read {sorted(unknown)}"
    for key, value in env.items():
        monkeypatch.setenv(key, INTERPOLATION.sub(PLACEHOLDERS.get(key, "s" * 32), value))
    settings = _settings_class(SETTINGS[name])()
    for host, port, expected in BINDS.get(name, []):
        assert getattr(settings, host) == "0.0.0.0", f"{name} binds {host} to loopback"
        assert getattr(settings, port) == expected


def test_only_enrich_holds_the_pseudonym_secret(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    key = "HOTLINE_PSEUDONYM_SECRET"
    assert {n for n, s in compose.items() if key in _compose_env(s)} == {"enrich"}
    holders = {n for n, c in _k8s_hotline_containers(k8s).items() if key in _k8s_env(k8s, c)}
    assert holders == {"enrich"}


def test_only_ingest_holds_the_webhook_secret(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    assert {n for n, s in compose.items() if WEBHOOK_SECRET in _compose_env(s)} == {"ingest"}
    holders = {
        n for n, c in _k8s_hotline_containers(k8s).items() if WEBHOOK_SECRET in _k8s_env(k8s, c)
    }
    assert holders == {"ingest"}


def _ingest_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> IngestSettings:
    for key in ("HOTLINE_DEV", "HOTLINE_INGEST_ALLOW_UNSIGNED", WEBHOOK_SECRET):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        if key.startswith("HOTLINE_"):
            monkeypatch.setenv(key, value)
    return IngestSettings()


@pytest.mark.parametrize("where", ["compose", "k8s"])
def test_ingest_listens_on_all_interfaces_only_with_signing_on(
    compose: dict[str, Any],
    k8s: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    if where == "compose":
        env = _compose_env(compose["ingest"])
        # `${VAR:?...}`: compose refuses to start without it, so it is never empty.
        assert env[WEBHOOK_SECRET].startswith(f"${{{WEBHOOK_SECRET}:?")
    else:
        env = _k8s_env(k8s, _k8s_hotline_containers(k8s)["ingest"])
        assert env[WEBHOOK_SECRET] == "<secret>"
    assert "HOTLINE_DEV" not in env
    assert "HOTLINE_INGEST_ALLOW_UNSIGNED" not in env
    settings = _ingest_settings({**env, WEBHOOK_SECRET: new_secret()}, monkeypatch)
    assert settings.host == "0.0.0.0"
    assert signing_mode(settings).verifier is not None
    # Were the secret missing, ingest would not start at all.
    without = {k: v for k, v in env.items() if k != WEBHOOK_SECRET}
    with pytest.raises(UnsignedRefusedError):
        signing_mode(_ingest_settings(without, monkeypatch))


def test_secret_template_holds_only_placeholders(
    k8s: list[dict[str, Any]], secret: dict[str, Any]
) -> None:
    assert "data" not in secret, "base64 data would hide real values"
    assert set(secret["stringData"].values()) == {"CHANGE-ME"}
    # An unedited template must make enrich refuse to start, not run with a public key, and
    # ingest too, not take events with a known secret.
    assert len(secret["stringData"]["HOTLINE_PSEUDONYM_SECRET"]) < MIN_SECRET_LENGTH
    with pytest.raises(ValueError, match="must start with 'whsec_'"):
        IngestSettings(webhook_secret=secret["stringData"][WEBHOOK_SECRET])
    refs = {
        (var["valueFrom"]["secretKeyRef"]["name"], var["valueFrom"]["secretKeyRef"]["key"])
        for kind in ("Deployment", "StatefulSet", "Job", "CronJob")
        for workload in _objects(k8s, kind).values()
        for container in _containers(workload)
        for var in container.get("env", [])
        if "secretKeyRef" in var.get("valueFrom", {})
    }
    assert refs == {(secret["metadata"]["name"], key) for key in secret["stringData"]}
    for workload in [
        o for o in k8s if o["kind"] in {"Deployment", "StatefulSet", "Job", "CronJob"}
    ]:
        for container in _containers(workload):
            for var in container.get("env", []):
                assert not (SECRET_NAME.search(var["name"]) and "value" in var), var["name"]


# --- k8s workloads ------------------------------------------------------------------------------


def test_k8s_pipeline_deployments(k8s: list[dict[str, Any]]) -> None:
    deployments = _objects(k8s, "Deployment")
    assert set(deployments) == set(PIPELINE)
    (image,) = {c["image"] for c in _k8s_hotline_containers(k8s).values()}
    assert image.startswith("hotline:")


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "Job", "CronJob"])
def test_k8s_containers_have_probes_and_memory_limits(k8s: list[dict[str, Any]], kind: str) -> None:
    for name, workload in _objects(k8s, kind).items():
        for container in _containers(workload):
            limit = container.get("resources", {}).get("limits", {}).get("memory")
            assert limit, f"{name}/{container['name']} has no memory limit"
            if kind in {"Deployment", "Job", "CronJob"}:
                # The design target is < 250 MB RSS per service.
                assert _memory_mib(limit) <= 256, f"{name}/{container['name']}: {limit}"
        if kind in {"Job", "CronJob"}:
            continue
        for container in _containers(workload, init=False):
            ports = {p["containerPort"] for p in container["ports"]}
            for probe in ("livenessProbe", "readinessProbe"):
                spec = container.get(probe)
                assert spec, f"{name} has no {probe}"
                action = spec.get("httpGet") or spec.get("tcpSocket")
                assert action, f"{name} {probe} is neither httpGet nor tcpSocket"
                assert action["port"] in ports, f"{name} {probe} probes a port it does not open"


def test_k8s_http_probe_paths(k8s: list[dict[str, Any]]) -> None:
    deployments = _objects(k8s, "Deployment")

    def path(name: str, probe: str) -> str:
        (container,) = _containers(deployments[name], init=False)
        return str(container[probe]["httpGet"]["path"])

    assert path("ingest", "livenessProbe") == "/healthz"
    assert path("ingest", "readinessProbe") == "/readyz"
    assert path("board", "livenessProbe") == "/healthz"
    # Not ready while a dependency is down (they wait and catch up), never restarted for it.
    assert path("enrich", "readinessProbe") == "/readyz"
    assert path("sink", "readinessProbe") == "/readyz"
    assert path("sink", "livenessProbe") == "/healthz"
    # follow's /healthz fails only when its loop stops turning; Kafka down is "not ready".
    assert path("follow", "livenessProbe") == "/healthz"
    assert path("follow", "readinessProbe") == "/readyz"


def test_k8s_services_target_container_ports(k8s: list[dict[str, Any]]) -> None:
    workloads = [o for o in k8s if o["kind"] in {"Deployment", "StatefulSet"}]
    for name, service in _objects(k8s, "Service").items():
        selector = service["spec"]["selector"].items()
        (target,) = [w for w in workloads if selector <= _pod_labels(w).items()]
        ports = {p["containerPort"] for c in _containers(target, False) for p in c["ports"]}
        names = {p["name"] for c in _containers(target, False) for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports | names, f"{name}:{port['targetPort']}"
        exposed = {p["targetPort"] for p in service["spec"]["ports"]}
        if target["kind"] == "Deployment":
            assert ports == exposed == PORTS[name], name


def test_k8s_scrape_annotations_point_at_metrics_ports(k8s: list[dict[str, Any]]) -> None:
    for name, deployment in _objects(k8s, "Deployment").items():
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert int(annotations["prometheus.io/port"]) == METRICS_PORT[name]
        assert annotations["prometheus.io/path"] == "/metrics"


def test_k8s_replicas_fit_the_partitions(k8s: list[dict[str, Any]]) -> None:
    deployments = _objects(k8s, "Deployment")
    replicas = {name: d["spec"]["replicas"] for name, d in deployments.items()}
    assert replicas["ingest"] == 2
    assert 1 <= replicas["enrich"] <= topics.RAW.partitions
    assert 1 <= replicas["sink"] <= topics.ENRICHED.partitions
    # One reader per file, also during a rollout.
    assert replicas["follow"] == 1
    assert deployments["follow"]["spec"]["strategy"] == {"type": "Recreate"}
    budget = _objects(k8s, "PodDisruptionBudget")["ingest"]["spec"]
    assert budget["selector"]["matchLabels"].items() <= (
        deployments["ingest"]["spec"]["template"]["metadata"]["labels"].items()
    )
    assert 1 <= budget["minAvailable"] < replicas["ingest"]


def test_kafka_cluster_quorum_and_replication(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    kafka = _objects(k8s, "StatefulSet")["kafka"]
    (container,) = _containers(kafka)
    env = {v["name"]: v.get("value") for v in container["env"]}
    replicas = kafka["spec"]["replicas"]
    assert replicas == 3
    headless = kafka["spec"]["serviceName"]
    assert _objects(k8s, "Service")[headless]["spec"]["clusterIP"] == "None"
    voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
    assert voters == [
        f"{i}@kafka-{i}.{headless}.hotline.svc.cluster.local:9093" for i in range(replicas)
    ]
    assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == str(replicas)
    assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
    containers = _k8s_hotline_containers(k8s)
    assert containers["topics"]["args"][-2:] == ["--replication-factor", str(replicas)]
    assert _k8s_env(k8s, containers["enrich"])["HOTLINE_ENRICH_TOPIC_REPLICATION_FACTOR"] == "3"
    # Compose has one broker: everything at 1.
    single = compose["kafka"]["environment"]
    assert single["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "1"
    assert compose["topics"]["command"][-2:] == ["--replication-factor", "1"]
    assert compose["enrich"]["environment"]["HOTLINE_ENRICH_TOPIC_REPLICATION_FACTOR"] == "1"


def test_infrastructure_images_are_pinned(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    images = [compose[name]["image"] for name in INFRA]
    images += [c["image"] for w in _objects(k8s, "StatefulSet").values() for c in _containers(w)]
    for image in images:
        assert re.fullmatch(r"[\w./-]+:v?\d+(\.\d+)+", image), f"{image} is not pinned"
    assert compose["kafka"]["image"].startswith("apache/kafka:3.9.")


# --- Prometheus -----------------------------------------------------------------------------


def _prometheus() -> dict[str, Any]:
    (doc,) = _docs(COMPOSE_DIR / "prometheus.yml")
    return doc  # type: ignore[no-any-return]


def _scrape_targets(job: dict[str, Any]) -> set[str]:
    static = {t for sc in job.get("static_configs", []) for t in sc["targets"]}
    found = {f"{n}:{sd['port']}" for sd in job.get("dns_sd_configs", []) for n in sd["names"]}
    return static | found


def test_prometheus_scrapes_exactly_the_compose_services(compose: dict[str, Any]) -> None:
    jobs = {job["job_name"]: _scrape_targets(job) for job in _prometheus()["scrape_configs"]}
    expected = {name: {f"{name}:{port}"} for name, port in METRICS_PORT.items()}
    expected |= {"prometheus": {"prometheus:9090"}, "alertmanager": {"alertmanager:9093"}}
    assert jobs == expected
    for target in set().union(*jobs.values()):
        host, port = target.split(":")
        assert int(port) in _compose_ports(compose[host]), target


def test_prometheus_jobs_match_the_local_config_the_rules_select_on() -> None:
    (local,) = _docs(DEPLOY / "prometheus" / "prometheus.yml")
    local_jobs = {job["job_name"] for job in local["scrape_configs"]}
    container_jobs = {job["job_name"] for job in _prometheus()["scrape_configs"]}
    assert local_jobs <= container_jobs
    for job in _prometheus()["scrape_configs"]:
        static = job.get("static_configs", [])
        assert all(sc["labels"]["service"] == job["job_name"] for sc in static)
        if not static:
            (label,) = job["relabel_configs"]
            assert label == {"target_label": "service", "replacement": job["job_name"]}


def test_optional_services_are_discovered_not_listed() -> None:
    # A static target of a service an installation does not run would be down for good and
    # page; Docker's DNS knows a compose service only while its container runs.
    jobs = {job["job_name"]: job for job in _prometheus()["scrape_configs"]}
    for name in OPTIONAL:
        assert "static_configs" not in jobs[name]
        (sd,) = jobs[name]["dns_sd_configs"]
        assert sd["names"] == [name]
        assert sd["type"] == "A"


def test_prometheus_finds_the_mounted_rules_and_alertmanager(compose: dict[str, Any]) -> None:
    mounts = dict(v.split(":")[:2] for v in compose["prometheus"]["volumes"] if v.startswith("."))
    config_in_container = mounts["./prometheus.yml"]
    assert (COMPOSE_DIR / "../prometheus/rules").resolve() == DEPLOY / "prometheus" / "rules"
    rules_in_container = mounts["../prometheus/rules"]
    for pattern in _prometheus()["rule_files"]:
        resolved = posixpath.join(posixpath.dirname(config_in_container), pattern)
        assert posixpath.dirname(resolved) == rules_in_container
    (am,) = _prometheus()["alerting"]["alertmanagers"]
    assert am["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_promtool_accepts_the_container_config(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: install Debian's prometheus package (make install)"
    shutil.copy(COMPOSE_DIR / "prometheus.yml", tmp_path / "prometheus.yml")
    (tmp_path / "rules").symlink_to(DEPLOY / "prometheus" / "rules")
    result = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Alertmanager ----------------------------------------------------------------------------


def _alertmanager() -> dict[str, Any]:
    (doc,) = _docs(ALERTMANAGER)
    return doc  # type: ignore[no-any-return]


def _matches(matchers: list[str], labels: dict[str, str]) -> bool:
    for matcher in matchers:
        found = re.fullmatch(r'\s*(\w+)\s*(=~|!~|!=|=)\s*"?([^"]*)"?\s*', matcher)
        assert found, f"unreadable matcher {matcher!r}"
        name, op, value = found.groups()
        actual = labels.get(name, "")
        ok = {
            "=": actual == value,
            "!=": actual != value,
            "=~": re.fullmatch(value, actual) is not None,
            "!~": re.fullmatch(value, actual) is None,
        }[op]
        if not ok:
            return False
    return True


def _receiver_for(labels: dict[str, str]) -> str:
    """Alertmanager's routing for one alert: the first matching child route, else the parent."""
    route = _alertmanager()["route"]
    while True:
        child = next((r for r in route.get("routes", []) if _matches(r["matchers"], labels)), None)
        if child is None:
            return str(route["receiver"])
        route = child


@pytest.mark.parametrize(
    ("severity", "receiver"),
    [("critical", "pager"), ("warning", "chat"), ("info", "null"), ("", "chat")],
)
def test_alertmanager_routes_by_severity(severity: str, receiver: str) -> None:
    labels = {"alertname": "PipelineStalled", "service": "sink"}
    assert _receiver_for({**labels, "severity": severity} if severity else labels) == receiver


def test_alertmanager_receivers_exist_and_deliver() -> None:
    config = _alertmanager()
    receivers = {r["name"]: r for r in config["receivers"]}

    def walk(route: dict[str, Any]) -> Iterator[str]:
        yield route["receiver"]
        for child in route.get("routes", []):
            yield from walk(child)

    assert set(walk(config["route"])) == set(receivers)
    assert receivers["pager"]["webhook_configs"][0]["url"].startswith("https://pager.")
    assert receivers["chat"]["webhook_configs"]
    assert receivers["chat"]["email_configs"]
    assert set(receivers["null"]) == {"name"}, "the null receiver must deliver nowhere"


def test_alertmanager_groups_and_inhibits() -> None:
    config = _alertmanager()
    assert set(config["route"]["group_by"]) == {"alertname", "service"}
    (rule,) = config["inhibit_rules"]
    assert rule["source_matchers"] == ['severity="critical"']
    assert rule["target_matchers"] == ['severity="warning"']
    assert {"alertname", "service"} <= set(rule["equal"])


def test_alertmanager_placeholders_are_on_reserved_domains() -> None:
    text = ALERTMANAGER.read_text(encoding="utf-8")
    hosts = re.findall(r"https?://([\w.-]+)", text) + re.findall(r"[\w.-]+@([\w.-]+)", text)
    hosts += re.findall(r"smtp_smarthost:\s*([\w.-]+)", text)
    assert hosts
    assert all(host.endswith(".invalid") for host in hosts), hosts


# --- Dockerfile --------------------------------------------------------------------------------


def test_dockerfile_builds_one_non_root_hotline_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    assert re.search(r'^RUN pip install "uv==\d+\.\d+\.\d+"$', text, re.M)
    assert "uv sync --frozen --no-dev" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}
    (entrypoint,) = re.findall(r"^ENTRYPOINT (.+)$", text, re.M)
    assert yaml.safe_load(entrypoint) == ["hotline"]
    with (REPO / "services" / "cli" / "pyproject.toml").open("rb") as handle:
        assert "hotline" in tomllib.load(handle)["project"]["scripts"]
    ignored = (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".state", ".git"} <= set(ignored)
    # The workspace members must reach the build context.
    assert not {"schemas", "services", "uv.lock", "pyproject.toml"} & set(ignored)


def test_k8s_follow_reads_the_log_read_only_and_keeps_its_position(
    k8s: list[dict[str, Any]],
) -> None:
    deployment = _objects(k8s, "Deployment")["follow"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = _containers(deployment)
    env = _k8s_env(k8s, container)
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    claims = _objects(k8s, "PersistentVolumeClaim")

    log_mount = mounts[posixpath.dirname(env["HOTLINE_FOLLOW_FILE"])]
    assert log_mount["readOnly"] is True
    log_claim = volumes[log_mount["name"]]["persistentVolumeClaim"]
    assert log_claim["readOnly"] is True
    spec = claims[log_claim["claimName"]]["spec"]
    assert spec["accessModes"] == ["ReadOnlyMany"]
    # Binds only to the PBX's pre-created volume, never to a new empty disk.
    assert spec["storageClassName"] == ""

    state_mount = mounts[env["HOTLINE_FOLLOW_STATE_DIR"]]
    assert not state_mount.get("readOnly")
    state_claim = volumes[state_mount["name"]]["persistentVolumeClaim"]["claimName"]
    assert claims[state_claim]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_k8s_weekly_load_report_cronjob(k8s: list[dict[str, Any]]) -> None:
    cron = _objects(k8s, "CronJob")["load-report"]
    assert cron["spec"]["timeZone"] == "Europe/Copenhagen"
    assert cron["spec"]["schedule"] == "0 6 * * 1"  # Monday morning, after Sunday's evening
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert isinstance(sub.choices, dict)
    assert container["args"][0] in sub.choices
    assert _memory_mib(container["resources"]["limits"]["memory"]) <= 256
    env = {e["name"]: e for e in container["env"]}
    out_dir = env["HOTLINE_REPORT_OUT_DIR"]["value"]
    assert "HOTLINE_REPORT_OUT_DIR" in _settings_env_names("hotline_report.settings")
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert any(out_dir.startswith(path) for path in mounts)
    assert env["MPLCONFIGDIR"]["value"].startswith("/tmp")
    assert "/tmp" in mounts
    claims = {v["name"]: v.get("persistentVolumeClaim") for v in pod["volumes"]}
    assert claims[mounts["/reports"]]["claimName"] in _objects(k8s, "PersistentVolumeClaim")


# --- the business rules: one set for every hotline process -------------------------------------

RULE_NAMES = {n for n in _settings_env_names("hotline_enrich.settings") if "_RULES__" in n}


# follow only converts lines; enrich applies the rules to what it sends.
NO_RULES = {"follow"}


def _rules(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith("HOTLINE_RULES__")}


def test_every_hotline_container_gets_the_same_rules(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    for name in NO_RULES:
        assert not RULE_NAMES & _settings_env_names(SETTINGS[name]), f"{name} reads rules now"
        assert not _rules(_compose_env(compose[name]))
        assert not _rules(_k8s_env(k8s, _k8s_hotline_containers(k8s)[name]))
    in_compose = {
        name: _rules(_compose_env(compose[name]))
        for name in PIPELINE + JOBS
        if name not in NO_RULES
    }
    containers = {n: c for n, c in _k8s_hotline_containers(k8s).items() if n not in NO_RULES}
    for name, cron in _objects(k8s, "CronJob").items():
        (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
        containers[name] = container
    assert len(containers) > len(in_compose)
    in_k8s = {name: _rules(_k8s_env(k8s, c)) for name, c in containers.items()}
    (one,) = {tuple(sorted(r.items())) for r in [*in_compose.values(), *in_k8s.values()]}
    rules = dict(one)
    assert "HOTLINE_RULES__SCHEDULE_FILE" in rules
    assert set(rules) <= RULE_NAMES, "a rule no service reads"


def test_the_schedule_file_the_manifests_name_is_in_the_image(compose: dict[str, Any]) -> None:
    path = _rules(_compose_env(compose["enrich"]))["HOTLINE_RULES__SCHEDULE_FILE"]
    text = DOCKERFILE.read_text(encoding="utf-8")
    (copied,) = re.findall(r"^COPY --from=build /src/(\S+) (\S+)$", text, re.M)
    assert copied == ("schemas/src/hotline_schemas/reference/schedule.json", path)
    assert (REPO / copied[0]).exists()


def test_make_run_sets_the_same_schedule_file_for_every_local_process() -> None:
    # lib.sh is sourced by pipeline.sh (ingest, enrich, sink, board) and run.sh (migrate,
    # simulate, load-report): one export reaches them all.
    lib = (DEPLOY / "local" / "lib.sh").read_text(encoding="utf-8")
    (value,) = re.findall(r'^export HOTLINE_RULES__SCHEDULE_FILE="\$\{[^:]+:-(\S+)\}"$', lib, re.M)
    assert value == "$ROOT/schemas/src/hotline_schemas/reference/schedule.json"
    for script in ("pipeline.sh", "run.sh"):
        assert "lib.sh" in (DEPLOY / "local" / script).read_text(encoding="utf-8")


# --- access, privacy and retention ---------------------------------------------------------------


def _compose_login(compose: dict[str, Any], name: str) -> tuple[str, str]:
    env = _compose_env(compose[name])
    (ref,) = INTERPOLATION.findall(env["HOTLINE_CLICKHOUSE__PASSWORD"])
    return env["HOTLINE_CLICKHOUSE__USER"], ref[0]


def _k8s_login(k8s: list[dict[str, Any]], name: str) -> tuple[str, str]:
    container = _k8s_hotline_containers(k8s)[name]
    env = {v["name"]: v for v in container["env"]}
    assert "HOTLINE_CLICKHOUSE__USER" not in _k8s_env(k8s, {"envFrom": container["envFrom"]})
    secret = env["HOTLINE_CLICKHOUSE__PASSWORD"]["valueFrom"]["secretKeyRef"]["key"]
    return env["HOTLINE_CLICKHOUSE__USER"]["value"], secret


@pytest.mark.parametrize("name", sorted(CLICKHOUSE_ROLE))
def test_each_process_logs_in_as_the_user_of_its_role(
    compose: dict[str, Any], k8s: list[dict[str, Any]], name: str
) -> None:
    role = CLICKHOUSE_ROLE[name]
    expected = (f"hotline_{role}", f"HOTLINE_CLICKHOUSE_{role.upper()}_PASSWORD")
    assert _k8s_login(k8s, name) == expected
    if name in compose:
        assert _compose_login(compose, name) == expected


def test_nothing_else_logs_in_to_clickhouse(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    in_compose = {n for n, s in compose.items() if "HOTLINE_CLICKHOUSE__USER" in _compose_env(s)}
    in_k8s = {
        n
        for n, c in _k8s_hotline_containers(k8s).items()
        if "HOTLINE_CLICKHOUSE__USER" in _k8s_env(k8s, c)
    }
    assert in_compose | in_k8s == set(CLICKHOUSE_ROLE)


def test_clickhouse_has_exactly_the_pipelines_users(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    text = USERS_XML.read_text(encoding="utf-8")
    (users_map,) = [
        m for m in k8s if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "clickhouse-users"
    ]
    assert users_map["data"]["hotline.xml"] == text, "compose and k8s users drifted apart"
    root = ElementTree.fromstring(text)
    users = root.find("users")
    assert users is not None
    assert {u.tag for u in users} == {"default", "hotline_writer", "hotline_reader"}
    assert users.find("default").get("remove") == "remove"  # type: ignore[union-attr]
    for role in ("writer", "reader"):
        user = users.find(f"hotline_{role}")
        assert user is not None
        password = user.find("password")
        assert password is not None
        assert password.get("from_env") == f"HOTLINE_CLICKHOUSE_{role.upper()}_PASSWORD"
        assert not (password.text or "").strip()
    grants = {u.tag: [q.text for q in u.iter("query")] for u in users if u.tag != "default"}
    assert grants == {
        "hotline_writer": ["GRANT ALL ON hotline.*"],
        "hotline_reader": ["GRANT SELECT ON hotline.*"],
    }
    profile = root.find("profiles/hotline_reader")
    assert profile is not None
    assert profile.findtext("readonly") == "1"
    assert profile.findtext("max_execution_time") == "600"
    assert profile.findtext("constraints/max_execution_time/max") == "600"
    assert root.find("quotas/hotline_reader/keyed_by_ip") is not None
    assert users.findtext("hotline_reader/quota") == "hotline_reader"

    server = _compose_env(compose["clickhouse"])
    assert server["CLICKHOUSE_SKIP_USER_SETUP"] == "1"
    assert not {"CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD", "CLICKHOUSE_DB"} & set(server)
    mounts = [v.split(":")[:2] for v in compose["clickhouse"]["volumes"]]
    assert [
        "./clickhouse/users.d/hotline.xml",
        "/etc/clickhouse-server/users.d/hotline.xml",
    ] in mounts
    (container,) = _containers(_objects(k8s, "StatefulSet")["clickhouse"])
    env = {v["name"]: v for v in container["env"]}
    assert env["CLICKHOUSE_SKIP_USER_SETUP"]["value"] == "1"
    for role in ("WRITER", "READER"):
        name = f"HOTLINE_CLICKHOUSE_{role}_PASSWORD"
        assert env[name]["valueFrom"]["secretKeyRef"]["key"] == name
        assert INTERPOLATION.search(server[name])
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "users"]
    assert mount["mountPath"] == "/etc/clickhouse-server/users.d/hotline.xml"
    assert mount["subPath"] == "hotline.xml"
    volumes = {
        v["name"]: v
        for v in _objects(k8s, "StatefulSet")["clickhouse"]["spec"]["template"]["spec"]["volumes"]
    }
    assert volumes["users"]["configMap"]["name"] == "clickhouse-users"
    assert "healthcheck" in compose["clickhouse"]
    assert "hotline_reader" in " ".join(compose["clickhouse"]["healthcheck"]["test"])


def test_the_sealers_and_only_they_hold_the_dead_letter_keys(
    compose: dict[str, Any], k8s: list[dict[str, Any]], secret: dict[str, Any]
) -> None:
    key = "HOTLINE_DEAD_LETTER_KEYS"
    assert {n for n, s in compose.items() if key in _compose_env(s)} == SEALERS
    holders = {n for n, c in _k8s_hotline_containers(k8s).items() if key in _k8s_env(k8s, c)}
    assert holders == SEALERS
    for name in SEALERS:
        assert key in _settings_env_names(SETTINGS[name])
    # An unedited template must stop the sealers at start-up, not seal with a public key.
    with pytest.raises(DeadLetterKeyError):
        KeyRing.parse(secret["stringData"][key])


def test_retention_is_configured_once_and_enforced_daily(
    compose: dict[str, Any], k8s: list[dict[str, Any]]
) -> None:
    config = _objects(k8s, "ConfigMap")["hotline-retention"]["data"]
    names = _settings_env_names("hotline_cli.settings")
    assert set(config) <= names
    assert config == {
        k: v for k, v in _compose_env(compose["retention"]).items() if "RETENTION" in k
    }
    parsed = Retention(
        events_days=int(config["HOTLINE_RETENTION__EVENTS_DAYS"]),
        records_days=int(config["HOTLINE_RETENTION__RECORDS_DAYS"]),
        topic_days=json.loads(config["HOTLINE_RETENTION__TOPIC_DAYS"]),
    )
    assert parsed == Retention(), "the manifests say the code's defaults"
    assert compose["retention"]["command"] == ["retention", "apply"]
    assert (
        compose["retention"]["depends_on"]["migrate"]["condition"]
        == "service_completed_successfully"
    )
    cron = _objects(k8s, "CronJob")["retention"]
    assert cron["spec"]["timeZone"] == "Europe/Copenhagen"
    _minute, _hour, *every = cron["spec"]["schedule"].split()
    assert every == ["*", "*", "*"], "daily"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = _containers(cron)
    assert container["args"] == ["retention", "apply"]
    refs = {s["configMapRef"]["name"] for s in container["envFrom"]}
    assert refs == {"hotline-clickhouse", "hotline-retention", "hotline-rules"}
    topics_job = _k8s_hotline_containers(k8s)["topics"]
    assert "hotline-retention" in {s["configMapRef"]["name"] for s in topics_job["envFrom"]}
