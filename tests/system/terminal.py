"""What ``mdnet`` prints on a pseudo-terminal of a given size: the listings fit, fold and drop columns by it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def on_a_terminal(cwd: Path, *args: str, columns: int = 100, lines: int = 30) -> str:
    """Standard output of ``mdnet --today 2026-12-08 ARGS`` run in ``cwd`` on a ``columns`` x ``lines``
    pseudo-terminal (sized by COLUMNS and LINES, as a shell exports them), with line ends as ``\\n``."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    env.update({"COLUMNS": str(columns), "LINES": str(lines)})
    process = subprocess.Popen([sys.executable, "-m", "mdnet", "--today", "2026-12-08", *args], cwd=cwd,
                               stdout=follower, stderr=subprocess.DEVNULL, env=env)  # fmt: skip
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed: the command has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
