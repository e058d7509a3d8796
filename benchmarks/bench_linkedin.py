"""LinkedIn import figures: a messages.csv of 20,000 rows against 2,000 contacts. Seeded, never fails.

    .venv/bin/python benchmarks/bench_linkedin.py [--rows 20000] [--contacts 2000] [--seed 5]

The vault is a git repository of ``--contacts`` notes, each linked to a profile (as an earlier
import leaves them); the export holds their Connections.csv, a messages.csv of ``--rows`` rows
in conversations with a skewed choice of them (a few people get most of the messages, as in a real
inbox), and a Profile.csv. Figures: the first import (every conversation day logged, one commit
per contact), the re-import (nothing new: the trailers say so) and the re-import after deleting
``.mdnet/``. Each is printed with its target and PASS or MISS.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import git, mdnet, verdict  # noqa: E402

TARGETS = {"import": 120.0, "reimport": 10.0, "no-index": 15.0}
FIRST = ("Ana", "Bo", "Chen", "Dana", "Emil", "Fatima", "Gus", "Hana", "Ivo", "José", "Kai", "Lena", "Mo", "Nia")
LAST = ("Ng", "Okafor", "Park", "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Vogel", "Weiß", "Xu", "Yilmaz")
ME = "https://www.linkedin.com/in/me-bench"


def make_vault(root: Path, people: list[tuple[str, str]]) -> None:
    (root / "people").mkdir(parents=True)
    (root / "mdnet.toml").write_text(f'contact_dirs = ["people"]\nmy_linkedin = "{ME}"\n', encoding="utf-8")
    (root / ".gitignore").write_text(".mdnet/\n", encoding="utf-8")
    for name, url in people:
        (root / "people" / f"{name}.md").write_text(
            f'---\nname: {name}\ncompany: "[[Acme]]"\nrole: Engineer\nlinkedin: {url}\ncadence: 90d\n---\n'
            f"# {name}\n\n## Log\n- 2025-01-10 call: intro\n",
            encoding="utf-8",
        )
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, capture_output=True)
    git(root, "config", "user.name", "Bench")
    git(root, "config", "user.email", "bench@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "vault")


def make_export(folder: Path, people: list[tuple[str, str]], rows: int, rng: random.Random) -> None:
    folder.mkdir()
    with open(folder / "Connections.csv", "w", encoding="utf-8", newline="") as handle:
        handle.write('Notes:\n"Some email addresses may be missing."\n\n')
        out = csv.writer(handle)
        out.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for name, url in people:
            first, last = name.split(" ", 1)
            out.writerow([first, last, url, "", "Acme", "Engineer", "10 Jan 2025"])
    (folder / "Profile.csv").write_text("First Name,Last Name\nMe,Bench\n", encoding="utf-8")
    weights = [1 / (i + 1) for i in range(len(people))]  # a few people get most of the messages
    with open(folder / "messages.csv", "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                      "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS"])  # fmt: skip
        written = 0
        conversation = 0
        while written < rows:
            conversation += 1
            name, url = rng.choices(people, weights)[0]
            start = 1_700_000_000 + rng.randrange(60_000_000)
            for step in range(min(rng.randint(1, 12), rows - written)):
                when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(start + step * rng.randrange(600, 200_000)))
                mine = rng.random() < 0.5
                sender, to = (("Me Bench", ME), (name, url)) if mine else ((name, url), ("Me Bench", ME))
                out.writerow([f"conv-{conversation}", "", sender[0], sender[1], to[0], to[1], when,
                              "", f"message {step} " + "text " * rng.randint(1, 40), "INBOX", ""])  # fmt: skip
                written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = sorted({f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i}" for i in range(args.contacts)})
    people = [(name, f"https://www.linkedin.com/in/{name.lower().replace(' ', '-')}") for name in names]
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        vault, export = base / "vault", base / "export"
        make_vault(vault, people)
        make_export(export, people, args.rows, rng)
        mdnet("--vault", str(vault), "index")
        what = f"{args.rows} rows, {args.contacts} contacts"
        seconds = mdnet("--vault", str(vault), "--today", "2026-11-25", "import", "linkedin", str(export))
        touched = subprocess.run(["git", "-C", str(vault), "rev-list", "--count", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout.strip()  # fmt: skip
        report("import", seconds, f"{what}; {int(touched) - 1} commits")
        report("reimport", mdnet("--vault", str(vault), "--today", "2026-11-25", "import", "linkedin", str(export)),
               "nothing new")  # fmt: skip
        shutil.rmtree(vault / ".mdnet", ignore_errors=True)
        report("no-index", mdnet("--vault", str(vault), "--today", "2026-11-25", "import", "linkedin", str(export)),
               "re-import after deleting .mdnet/")  # fmt: skip


def report(name: str, seconds: float, what: str) -> None:
    target = TARGETS[name]
    print(f"{name:9} {seconds:7.2f} s  target <= {target:.0f} s  {verdict(seconds, target)}  ({what})", flush=True)


if __name__ == "__main__":
    main()
