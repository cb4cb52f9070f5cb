"""The Rasa assistant's two processes (the Rasa server and the action server) for tests and benchmarks.

They run from the assistant's own Python 3.10 environment through scripts/assistant.sh, exactly as
`make run` starts them, on free loopback ports, pointed at a backend's GraphQL URL. The action server
is ready when it logs so. Rasa 3.6 logs nothing once its model is loaded and opens its port only then,
so its readiness is its REST channel answering: asked again while the connection is refused, never guessed
with a fixed sleep.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "assistant.sh"


class AssistantMissingError(RuntimeError):
    """The assistant's environment or model is missing: `make assistant` builds both."""


@dataclass
class _Process:
    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


def _start(command: str, env: dict[str, str], ready_text: str) -> _Process:
    popen = subprocess.Popen(
        [str(SCRIPT), command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    process = _Process(popen)

    def pump() -> None:
        assert popen.stdout is not None
        with popen.stdout:
            for line in popen.stdout:
                process.lines.append(line)
                if ready_text in line:
                    process.ready.set()
        process.ready.set()  # it ended: whoever waits must not wait forever
        process.ended.set()

    threading.Thread(target=pump, daemon=True).start()
    return process


@dataclass
class AssistantStack:
    """A running Rasa server and action server."""

    url: str
    rasa: _Process
    actions: _Process
    started_in: float
    env: dict[str, str]

    @classmethod
    def start(
        cls, graphql_url: str, rasa_port: int | None = None, redis_url: str = "", timeout: float = 300
    ) -> AssistantStack:
        """Start both processes against `graphql_url` (conversations in Redis when `redis_url` is given)."""
        if not (ROOT / "assistant" / "models" / "assistant.tar.gz").exists():
            raise AssistantMissingError("no trained model: run `make assistant` (scripts/assistant.sh train)")
        rasa_port, actions_port = rasa_port or free_port(), free_port()
        env = os.environ | {
            "ASSISTANT_PORT": str(rasa_port),
            "ASSISTANT_ACTIONS_PORT": str(actions_port),
            "ASSISTANT_GRAPHQL_URL": graphql_url,
            "ASSISTANT_REDIS_URL": redis_url,
        }
        started = time.perf_counter()
        actions = _start("actions", env, "Action endpoint is up and running")
        rasa = _start("run", env, "Starting Rasa server")
        stack = cls(f"http://127.0.0.1:{rasa_port}", rasa, actions, 0.0, env)
        try:
            for process, name in ((actions, "action server"), (rasa, "Rasa server")):
                if not process.ready.wait(timeout) or process.popen.poll() is not None:
                    raise RuntimeError(f"the {name} did not start:\n" + "".join(process.lines[-30:]))
            stack._wait_until_serving(started + timeout)
        except BaseException:
            stack.stop()
            raise
        stack.started_in = time.perf_counter() - started
        return stack

    def _wait_until_serving(self, deadline: float) -> None:
        pause = 0.05
        while True:
            try:
                if httpx.get(f"{self.url}/webhooks/rest/", timeout=30).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.rasa.popen.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("the Rasa server did not load its model:\n" + "".join(self.rasa.lines[-30:]))
            time.sleep(pause)  # the port opens once the model is loaded (seconds): ask again
            pause = min(pause * 2, 1.0)

    def restart_rasa(self, timeout: float = 300) -> None:
        """Stop the Rasa server and start it again on the same port (what a deployment does)."""
        os.killpg(self.rasa.popen.pid, 15)
        self.rasa.popen.wait(timeout=60)
        self.rasa.ended.wait(30)
        self.rasa = _start("run", self.env, "Starting Rasa server")
        if not self.rasa.ready.wait(timeout) or self.rasa.popen.poll() is not None:
            raise RuntimeError("the Rasa server did not start again:\n" + "".join(self.rasa.lines[-30:]))
        self._wait_until_serving(time.perf_counter() + timeout)

    def rss_mib(self) -> dict[str, float]:
        """Resident memory of each process, in MiB (Linux)."""
        sizes = {}
        for name, process in (("rasa", self.rasa), ("actions", self.actions)):
            status = Path(f"/proc/{process.popen.pid}/status").read_text()
            kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes[name] = kib / 1024
        return sizes

    def stop(self) -> None:
        """Stop both processes (and whatever they started)."""
        for process in (self.rasa, self.actions):
            if process.popen.poll() is None:
                os.killpg(process.popen.pid, 15)
        for process in (self.rasa, self.actions):
            try:
                process.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, 9)
                process.popen.wait()
            process.ended.wait(30)  # the log pump has read to the end and closed the pipe
