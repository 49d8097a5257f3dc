"""A private PulseAudio server with null sinks, for tests and benchmarks of real sound.

Everything lives in a private folder named by environment variables (XDG_RUNTIME_DIR,
HOME with an .asoundrc, PULSE_SERVER); the machine's own sound setup is not touched.
A null sink plays nowhere; what is played into it is recorded from `<sink>.monitor`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path


@contextlib.contextmanager
def private_pulseaudio(
    asoundrc: str, sinks: Iterable[str]
) -> Iterator[tuple[dict[str, str], Path]]:
    """The server's client environment and a scratch folder; stopped afterwards, even
    on failure. `asoundrc` is what ALSA clients (PortAudio, so the kiosk) see."""
    sinks = tuple(sinks)
    # A short path: the server's socket path must stay under the 108-byte limit.
    with tempfile.TemporaryDirectory(prefix="kiosk-pa-") as name:
        folder = Path(name)
        runtime, home = folder / "runtime", folder / "home"
        runtime.mkdir(mode=0o700)
        home.mkdir()
        (home / ".asoundrc").write_text(asoundrc)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULSE_", "ALSA_"))
        }
        env |= {
            "XDG_RUNTIME_DIR": str(runtime),
            "HOME": str(home),
            "PULSE_RUNTIME_PATH": str(runtime / "pulse"),
            "PULSE_SERVER": f"unix:{runtime / 'pulse' / 'native'}",
        }
        loads = [f"--load=module-null-sink sink_name={sink}" for sink in sinks]
        started = subprocess.run(
            ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
             "--load=module-native-protocol-unix", *loads],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        try:
            assert started.returncode == 0, f"pulseaudio did not start: {started.stderr}"
            _wait_for_server(env, set(sinks))
            yield env, folder
        finally:
            _stop_server(env, runtime / "pulse" / "pid")


def _wait_for_server(env: dict[str, str], sinks: set[str]) -> None:
    for _ in range(50):
        listed = subprocess.run(
            ["pactl", "list", "short", "sinks"], env=env, capture_output=True, text=True
        )
        names = {line.split("\t")[1] for line in listed.stdout.splitlines() if "\t" in line}
        if listed.returncode == 0 and sinks <= names:
            return
        time.sleep(0.1)
    raise AssertionError(f"the private PulseAudio server is not answering: {listed.stderr}")


def _stop_server(env: dict[str, str], pid_file: Path) -> None:
    pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
    subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True, timeout=10)
    for _ in range(50):
        if not pid_file.exists():
            return
        time.sleep(0.1)
    if pid is not None:  # it did not stop when asked
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
