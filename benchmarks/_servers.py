"""Servers and store for bench_callbacks.py: a store of ../shared/data built with `tsm import`,
gunicorn started as the Dockerfile starts it, worker memory from /proc."""

from __future__ import annotations

import functools
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
#: Files the importer might read (the shared data also holds PROVENANCE.md).
DATA_SUFFIXES = {".csv", ".json", ".xml", ".txt", ".zip"}
#: Every source base URL the app knows, pointed at a closed local port: whatever a callback
#: does, the servers under test never reach the network.
SOURCE_URL_VARS = ("TSM_FRED_URL", "TSM_FREDAPI_URL", "TSM_NYFED_URL", "TSM_TREASURY_URL",
                   "TSM_CFTC_URL", "TSM_CFTC_FILES_URL", "TSM_GSW_URL")


@dataclass
class StoreBuild:
    path: Path
    seconds: float
    imported: list[Path] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    reused: bool = False


def _tsm(args: list[str], store: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from cli import main; sys.exit(main())"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code, "--store", str(store), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=1800)


def build_store(shared: Path, store: Path) -> StoreBuild:
    """`tsm import` every file of `shared`; a file the importer rejects is dropped (with its
    reason) and the rest imported again (the import is all or nothing)."""
    files = sorted(p for p in shared.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES)
    build = StoreBuild(store, 0.0)
    start = time.perf_counter()
    remaining = list(files)
    while remaining:
        proc = _tsm(["import", *map(str, remaining)], store)
        if proc.returncode == 0:
            build.imported = remaining
            break
        message = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        culprits = [p for p in remaining if str(p) in message]
        if not culprits:  # cannot tell which file: import one at a time
            for path in remaining:
                one = _tsm(["import", str(path)], store)
                if one.returncode == 0:
                    build.imported.append(path)
                else:
                    build.rejected.append((path, (one.stderr.strip().splitlines() or ["?"])[-1]))
            break
        bad = max(culprits, key=lambda p: len(str(p)))
        build.rejected.append((bad, message))
        remaining.remove(bad)
    build.seconds = time.perf_counter() - start
    return build


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dockerfile_gunicorn() -> tuple[list[str], str]:
    """gunicorn's options and app from the Dockerfile's CMD (bind replaced by ours). A CMD of
    `tsm serve` runs gunicorn with the service's config (cli/serve.py `gunicorn_argv`), whose
    settings come from the environment: server_env() sets them as the image does, minus the
    scheduler and the access log."""
    options = ["--workers", "2", "--threads", "4", "--timeout", "120"]
    app = "app:server"
    dockerfile = ROOT / "Dockerfile"
    if dockerfile.exists():
        for line in dockerfile.read_text().splitlines():
            if line.startswith("CMD") and re.search(r"""["']?tsm["']?\s*,?\s*["']?serve""", line):
                sys.path.insert(0, str(ROOT))
                from cli.serve import gunicorn_argv

                argv = gunicorn_argv()
                return argv[argv.index("gunicorn") + 1:-1], argv[-1]
            if line.startswith("CMD") and "gunicorn" in line:
                text = line[line.index("gunicorn"):].rstrip('"]').rstrip("'")
                words = shlex.split(text.replace('\\"', '"'))[1:]
                found: list[str] = []
                i = 0
                while i < len(words):
                    word = words[i]
                    if word in ("--bind", "-b"):
                        i += 2
                        continue
                    if word.startswith("--bind="):
                        i += 1
                        continue
                    if word.startswith("-") and "=" not in word and i + 1 < len(words) \
                            and not words[i + 1].startswith("-") and ":" not in words[i + 1]:
                        found += [word, words[i + 1]]
                        i += 2
                        continue
                    if re.match(r"^[\w.]+:\w+$", word):
                        app = word
                    else:
                        found.append(word)
                    i += 1
                if found:
                    options = found
    return options, app


class Gunicorn:
    """A gunicorn master we started (its own process group), stopped on exit."""

    def __init__(self, name: str, app: str, cwd: Path, env: dict[str, str],
                 options: list[str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"{name}.log"
        extra = []
        if _has_control_socket():  # gunicorn >= 24: one admin socket per server, not the shared default
            extra = ["--control-socket", str(workdir / f"{name}.ctl")]
        self.command = [sys.executable, "-m", "gunicorn", *options, *extra, "--bind",
                        f"127.0.0.1:{self.port}", app]
        self._cwd = cwd
        self._env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.spawned_at = 0.0

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.spawned_at = time.perf_counter()
        self.proc = subprocess.Popen(self.command, cwd=self._cwd, env=self._env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, path: str = "/", timeout: float = 300.0) -> float:
        """Seconds from spawn to the first 200 of `path`."""
        session = requests.Session()
        session.trust_env = False
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} gunicorn exited ({self.proc.returncode}):\n"
                                   + self.log_tail())
            try:
                if session.get(self.base + path, timeout=30).status_code == 200:
                    return time.perf_counter() - self.spawned_at
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} gunicorn not ready after {timeout:.0f} s:\n"
                           + self.log_tail())

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        master = self.proc.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the command may hold spaces and parentheses: fields follow the last ')'
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == master:
                pids.append(int(entry.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own group (start_new_session)
            self.proc.wait(timeout=5)


@functools.lru_cache(maxsize=1)
def _has_control_socket() -> bool:
    try:
        out = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True,
                             text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--control-socket" in out


def status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (empty if it is gone)."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def server_env(store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FRED_API_KEY"}
    env.update({var: "http://127.0.0.1:9" for var in SOURCE_URL_VARS})
    # `tsm serve` settings: no scheduled refresh, no access log (it would cost the server time)
    env.update(TSM_SCHEDULE="0", TSM_ACCESS_LOG="")
    env.update(TSM_STORE=str(store), TSM_HTTP_RETRIES="0", TSM_HTTP_TIMEOUT="2",
               PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "uptime unavailable"
