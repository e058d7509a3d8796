"""Interop figures: vCard import, mail scan, iCalendar export. Standalone, seeded, never fails.

    .venv/bin/python benchmarks/bench_interop.py

Each figure is printed with its target and PASS or MISS. Writes happen in a temp
folder (a copy of examples/vault made into a git repository with its own identity).
"""

from __future__ import annotations

import mailbox
import random
import shutil
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import git, mdnet, verdict  # noqa: E402

CARDS = 500
MESSAGES = 5000
TARGETS = {"import": 15.0, "reimport": 5.0, "scan": 20.0, "rescan": 5.0, "ics": 1.0}


def report(name: str, seconds: float, what: str) -> None:
    target = TARGETS[name]
    print(f"{name:9} {seconds:7.2f} s  target <= {target:.0f} s  {verdict(seconds, target)}  ({what})", flush=True)


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        vault = base / "vault"
        shutil.copytree(ROOT / "examples" / "vault", vault, ignore=shutil.ignore_patterns(".mdnet"))
        with open(vault / "mdnet.toml", "a", encoding="utf-8") as handle:
            handle.write('me = ["me@mine.example"]\n')
        (vault / ".gitignore").write_text(".mdnet/\n")
        git(vault, "init", "-q")
        git(vault, "config", "user.name", "Bench")
        git(vault, "config", "user.email", "bench@example.com")
        git(vault, "config", "commit.gpgsign", "false")
        git(vault, "add", "-A")
        git(vault, "commit", "-q", "-m", "init")

        cards = base / "cards.vcf"
        cards.write_text(
            "".join(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i:04d}\r\nEMAIL:p{i}@x.example\r\n"
                f"TEL:+1 555 {rng.randrange(10**7):07d}\r\nORG:Org {i % 20}\r\nTITLE:Role {i % 7}\r\nEND:VCARD\r\n"
                for i in range(CARDS)
            ),
            encoding="utf-8",
        )
        report("import", mdnet("--vault", str(vault), "import", "vcard", str(cards)), f"{CARDS} new cards")
        report("reimport", mdnet("--vault", str(vault), "import", "vcard", str(cards)), f"{CARDS} cards unchanged")

        known = [f"p{i}@x.example" for i in range(CARDS)]
        box = mailbox.mbox(str(base / "inbox.mbox"))
        for i in range(MESSAGES):
            message = EmailMessage()
            outbound = rng.random() < 0.3
            other = rng.choice(known) if rng.random() < 0.2 else f"x{i}@unknown.example"
            message["From"] = "me@mine.example" if outbound else other
            message["To"] = other if outbound else "me@mine.example"
            message["Subject"] = f"message {i}"
            message["Date"] = f"Mon, {1 + i % 28:02d} Sep 2026 10:{i % 60:02d}:00 -0700"
            message["Message-ID"] = f"<{i}@bench>"
            message.set_content("hello\n" * 20)
            box.add(message)
        box.close()
        seconds = mdnet("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(base / "inbox.mbox"))
        report("scan", seconds, f"{MESSAGES} messages, first scan (one commit per contact)")
        seconds = mdnet("--vault", str(vault), "--today", "2026-11-25", "mail", "scan", str(base / "inbox.mbox"))
        report("rescan", seconds, f"{MESSAGES} messages, all handled before")
        seconds = mdnet("--vault", str(vault), "--today", "2026-11-25", "export", "ics", "--out", str(base / "a.ics"))
        report("ics", seconds, f"{CARDS + 31} contacts")


if __name__ == "__main__":
    main()
