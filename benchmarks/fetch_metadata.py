"""Time the index client fetching metadata for a real project's dependency closure.

Walks the closure of a django + celery + boto3 + pytest service (ROOTS) on PyPI (newest release of
each name, markers evaluated for CPython 3.12 on Linux), the way a resolver asks: pages
and metadata of newly learned names are prefetched in parallel, then read in a fixed
order. Runs twice against one cache directory: cold (empty cache) and warm.

    python benchmarks/fetch_metadata.py [--workers N]

Needs the network; prints the package count and seconds for each run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.index.netconfig import NetConfig
from pipx_lockext.edges.index.cache import Cache
from pipx_lockext.edges.index.client import IndexRepository
from pipx_lockext.edges.index.network import Http

ROOTS = [
    "django", "djangorestframework", "django-celery-beat", "django-storages[s3]",
    "celery[redis]", "boto3", "psycopg[binary]", "gunicorn", "sentry-sdk[django,celery]",
    "requests", "httpx", "pydantic", "pytest", "pytest-django", "pytest-cov", "pytest-xdist",
    "factory-boy", "freezegun", "moto", "black", "mypy", "django-stubs", "ruff",
]  # fmt: skip
ENV = Environment(PythonVersion(3, 12), "linux-x86_64")


def newest(repo: IndexRepository, name: str):
    files = [f for f in repo.files(name) if f.parsed and not f.yanked]
    stable = [f for f in files if not f.parsed.version.is_prerelease] or files
    best = max(f.parsed.version for f in stable)
    same = [f for f in stable if f.parsed.version == best]
    return next((f for f in same if f.parsed.kind == "wheel"), same[0])


def crawl(repo: IndexRepository) -> int:
    todo = [Requirement(r) for r in ROOTS]
    seen: dict[str, set[str]] = {}
    while todo:
        repo.prefetch(canonicalize_name(r.name) for r in todo)
        chosen = []
        for req in todo:
            name = canonicalize_name(req.name)
            if name in seen and set(req.extras) <= seen[name]:
                continue
            seen.setdefault(name, set()).update(req.extras)
            chosen.append((newest(repo, name), set(req.extras)))
        repo.prefetch_metadata(f for f, _ in chosen)
        todo = []
        for file, extras in chosen:
            for dep in repo.metadata(file).requires_dist:
                envs = [{**ENV.markers, "extra": e} for e in extras or {""}]
                if dep.marker is None or any(dep.marker.evaluate(env) for env in envs):
                    todo.append(dep)
    return len(seen)


def run(cache_dir: Path, workers: int) -> tuple[int, float]:
    cert = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    config = NetConfig(cert=cert)
    repo = IndexRepository(
        config, Http(config, pool_size=workers), Cache(cache_dir), workers=workers
    )
    start = time.perf_counter()
    count = crawl(repo)
    repo.close()
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("cold", "warm"):
            count, seconds = run(Path(tmp), args.workers)
            print(f"{label}: {count} packages, {seconds:.2f} s")


if __name__ == "__main__":
    main()
