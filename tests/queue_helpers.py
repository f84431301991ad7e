"""A site on the queue for tests and `benchmarks/job_queue.py`: a PostgreSQL database, web and
worker processes started with the very commands of the systemd units in deploy/systemd/
(expanded as systemd expands them), an API client."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/baoxue/.venv/bin/baoxue"  # where the units expect the program
ENV_FILE = "/etc/baoxue/baoxue.env"


def unit_text(unit: str) -> str:
    return (UNITS / unit).read_text(encoding="utf-8")


def unit_settings(unit: str) -> dict[str, str]:
    """`Key=value` lines of a unit (the last of a key wins)."""
    out: dict[str, str] = {}
    for line in unit_text(unit).splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def env_example() -> dict[str, str]:
    """The variables of deploy/systemd/baoxue.env.example."""
    out: dict[str, str] = {}
    for line in (UNITS / "baoxue.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, value = line.split("=", 1)
            out[key] = value
    return out


def unit_command(unit: str, env: dict[str, str], instance: str = "", host: str = "") -> list[str]:
    """The command of a unit's ExecStart as systemd runs it: `${VAR}` is one word, `$VAR`
    splits into words (empty: none), `%i` is the instance and `%H` the host name."""
    words: list[str] = []
    for word in shlex.split(unit_settings(unit)["ExecStart"]):
        word = word.replace("%i", instance).replace("%H", host or os.uname().nodename)
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            words += env[whole.group(1)].split()
            continue
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: env[m.group(1)], word))
    return words


def local(words: list[str]) -> list[str]:
    """A unit's command with this checkout's program in place of the installed one."""
    assert words[0] == INSTALLED, words
    return [sys.executable, str(ROOT / "cli.py"), *words[1:]]


@dataclass
class Site:
    """Web and worker processes of one site, their logs in `logs`."""

    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, unit: str, instance: str = "") -> subprocess.Popen[bytes]:
        command = local(unit_command(unit, self.env, instance, host="test"))
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def web(self, name: str = "web", port: str | None = None) -> str:
        env = {**self.env, "BAOXUE_PORT": port or self.env["BAOXUE_PORT"]}
        saved, self.env = self.env, env
        try:
            process = self.start(name, "baoxue-web.service")
        finally:
            self.env = saved
        base = f"http://127.0.0.1:{env['BAOXUE_PORT']}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, self.log(name)
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{name} did not answer:\n{self.log(name)}")

    def worker(self, instance: str) -> subprocess.Popen[bytes]:
        return self.start(f"worker-{instance}", "baoxue-worker@.service", instance)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-4000:]

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def terminate(self, name: str, timeout: float = 600) -> int:
        """SIGTERM, as `systemctl stop` sends; the exit code."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        return process.wait(timeout=timeout)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_all(
    client: httpx.Client, job_ids: list[int], timeout: float = 600, seen: list[Any] | None = None
) -> dict[int, dict[str, Any]]:
    """Poll the jobs until all have ended; every answer is appended to `seen`."""
    out: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(out) < len(job_ids):
        for job_id in job_ids:
            if job_id in out:
                continue
            job = client.get(f"/api/jobs/{job_id}").json()
            if seen is not None:
                seen.append(job)
            if job["status"] in ("done", "failed"):
                out[job_id] = job
        time.sleep(0.5)
    missing = sorted(set(job_ids) - set(out))
    assert not missing, f"jobs not finished: {missing}"
    return out
