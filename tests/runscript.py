"""Run a script under a forced multiprocessing start method, with a hard timeout.

An unguarded ``Pool`` under spawn hangs forever while its workers die and are
replaced, so every run happens in its own process group and the whole group is
killed when the time is up or as soon as a child reports the bootstrapping error.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

START_METHODS = ("fork", "spawn", "forkserver")

#: The message a spawn child prints when it re-runs unguarded process starts.
BOOTSTRAP_ERROR = "bootstrapping phase"

_SITECUSTOMIZE = """\
import multiprocessing
multiprocessing.set_start_method({method!r}, force=True)
"""


@dataclass(frozen=True)
class RunResult:
    """What a script run printed and how it ended."""

    stdout: str
    stderr: str
    returncode: int | None
    timed_out: bool
    bootstrap_error: bool

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()


def run_script(
    script: Path,
    method: str,
    *,
    timeout: float = 30.0,
    stop_on_bootstrap_error: bool = True,
    cwd: Path | None = None,
    stdin: str = "",
) -> RunResult:
    """Run ``python script`` with ``method`` forced as the default start method.

    The method is forced through a ``sitecustomize`` module on ``PYTHONPATH``,
    which the children inherit.  The process group is killed at ``timeout`` or,
    when ``stop_on_bootstrap_error`` is set, as soon as stderr shows the
    bootstrapping RuntimeError (a Pool would otherwise retry forever).
    """
    if method not in START_METHODS:
        raise ValueError(f"unknown start method {method!r}")
    script = Path(script).resolve()
    with tempfile.TemporaryDirectory(prefix="gf-run-") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(method=method))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(tmp_path)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONSTARTUP", None)
        out_path = tmp_path / "stdout.txt"
        err_path = tmp_path / "stderr.txt"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [sys.executable, str(script)],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=str(cwd or script.parent),
                env=env,
                start_new_session=True,
            )
            try:
                proc.stdin.write(stdin.encode())  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass
            deadline = time.monotonic() + timeout
            timed_out = False
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    timed_out = True
                    break
                if stop_on_bootstrap_error and BOOTSTRAP_ERROR in err_path.read_text(
                    errors="replace"
                ):
                    # Give the parent a moment to print what it prints, then stop the hang.
                    time.sleep(0.3)
                    break
                time.sleep(0.05)
            _kill_group(proc)
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
    return RunResult(
        stdout=stdout,
        stderr=stderr,
        returncode=proc.returncode if not timed_out else None,
        timed_out=timed_out,
        bootstrap_error=BOOTSTRAP_ERROR in stderr,
    )


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


if __name__ == "__main__":  # pragma: no cover - manual use: runscript.py SCRIPT METHOD
    result = run_script(Path(sys.argv[1]), sys.argv[2])
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    print(
        f"[returncode={result.returncode} timed_out={result.timed_out} "
        f"bootstrap_error={result.bootstrap_error}]",
        file=sys.stderr,
    )
