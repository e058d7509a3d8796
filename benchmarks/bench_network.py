"""How fast ``mdnet path`` and ``mdnet who`` answer on big vaults (target: path <= 1 s at 50k).

A seeded generator (the approach of benchmarks/generate.py, reduced to what the
network commands read) writes contacts with companies, past employers,
``introduced_by``, ``knows`` (some naming people who have no note), wikilinks in
note bodies and interaction logs. The index is built once (not measured: that is
``bench.py``'s business); then each figure is the best of a few runs of:

* ``Vault.path`` / ``Vault.who`` in this process (index fresh: a no-change scan,
  loading the contacts, building the graph, ranking);
* ``mdnet path`` as a new process, as a user runs it (interpreter start included).

* the same questions with the index already fresh ("query only"): what the network
  code itself costs, apart from the index's no-change scan that every command pays.

Prints each figure with its target and PASS/MISS; never fails (exit 0).

Usage::

    python benchmarks/bench_network.py [--sizes 1000,10000,50000] [--seed S] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, verdict  # noqa: E402

TODAY = dt.date(2026, 11, 25)
TARGET_SECONDS = 1.0
FIRST = (
    "Ada", "Alan", "Ana", "Ben", "Bo", "Cai", "Cy", "Dana", "Eli", "Eva", "Finn", "Gia", "Hal", "Ida",
    "Ivo", "Jan", "Jo", "Kai", "Kim", "Lea", "Leo", "Liv", "Max", "Mia", "Ned", "Noa", "Oli", "Pia",
    "Raj", "Rex", "Rio", "Sam", "Sol", "Tara", "Ted", "Uma", "Val", "Wes", "Xia", "Yan", "Zoe",
)  # fmt: skip
LAST = (
    "Abe", "Berg", "Cruz", "Dahl", "Eng", "Fox", "Gray", "Hale", "Ito", "Jung", "Kerr", "Lund", "Moss",
    "Nash", "Ortiz", "Park", "Quinn", "Roth", "Shaw", "Toth", "Ueda", "Vance", "Wolf", "Xu", "Young",
    "Zeng",
)  # fmt: skip
HEADS = (
    "Acme", "Apex", "Atlas", "Beacon", "Cedar", "Cobalt", "Delta", "Falcon", "Globex", "Granite",
    "Harbor", "Helix", "Initech", "Juniper", "Keystone", "Maple", "Nimbus", "Orbit", "Pinnacle",
    "Quantum", "Redwood", "Summit", "Vertex", "Willow", "Zenith",
)  # fmt: skip
TAILS = (
    "Corp", "Inc", "Labs", "Systems", "Health", "Capital", "Partners", "Logistics", "Software", "Bank",
    "Energy", "Media", "Group", "Ventures", "Networks", "Cloud",
)  # fmt: skip
CATEGORIES = ("client", "client", "friend", "colleague", "former-colleague", "recruiter", "vendor", "investor")
KINDS = ("coffee", "email", "call", "lunch", "meeting")


def _names(count: int, rng: random.Random) -> list[str]:
    names = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        suffix = i // (len(FIRST) * len(LAST))
        names.append(f"{first} {last}" + (f" {suffix + 1}" if suffix else ""))
    rng.shuffle(names)
    return names


def generate(root: Path, count: int, seed: int) -> None:
    """Write ``count`` contact notes (and mdnet.toml) under ``root``; deterministic for a seed."""
    rng = random.Random(seed)
    people = root / "people"
    people.mkdir(parents=True)
    (root / "mdnet.toml").write_text('contact_dirs = ["people"]\n[cadence]\nclient = "30d..45d"\n')
    names = _names(count, rng)
    companies = [f"{h} {t}" for h in HEADS for t in TAILS]
    strangers = [f"Stranger {i}" for i in range(max(10, count // 50))]
    for name in names:
        r = rng.random
        lines = [f"name: {name}", f"category: {CATEGORIES[int(r() * len(CATEGORIES))]}"]
        if r() < 0.8:
            lines.append(f'company: "[[{companies[int(r() * len(companies))]}]]"')
        if r() < 0.3:
            employers = ", ".join(f'"[[{companies[int(r() * len(companies))]}]]"' for _ in range(1 + int(r() * 2)))
            lines.append(f"employers: [{employers}]")
        if r() < 0.2:
            lines.append(f'introduced_by: "[[{names[int(r() * count)]}]]"')
        if r() < 0.4:
            known = [names[int(r() * count)] if r() < 0.9 else strangers[int(r() * len(strangers))]
                     for _ in range(1 + int(r() * 4))]  # fmt: skip
            lines.append("knows: [" + ", ".join(f'"[[{k}]]"' for k in known) + "]")
        if r() < 0.7:
            lines.append(f"cadence: {rng.choice(('30d', '60d', '90d', 'quarterly'))}")
        body = [f"# {name}", ""]
        if r() < 0.2:
            body += [f"Had lunch with [[{names[int(r() * count)]}]] and {name.split()[0]} last spring.", ""]
        body.append("## Log")
        day = TODAY - dt.timedelta(days=int((r() ** 2) * 900))
        for _ in range(int((r() ** 1.5) * 12)):
            body.append(f"- {day.isoformat()} {KINDS[int(r() * len(KINDS))]}: caught up")
            day -= dt.timedelta(days=1 + int(r() * 90))
        text = "---\n" + "\n".join(lines) + "\n---\n" + "\n".join(body) + "\n"
        (people / f"{name}.md").write_text(text, encoding="utf-8")


def bench_size(size: int, seed: int, workdir: Path) -> None:
    import mdnet

    root = workdir / f"network-{size}-{seed}"
    if not (root / "people").is_dir():
        started = time.perf_counter()
        generate(root, size, seed)
        print(f"  generated {size} notes in {time.perf_counter() - started:.1f} s")
    with mdnet.Vault.open(root) as vault:
        started = time.perf_counter()
        vault.refresh()
        print(f"  index built in {time.perf_counter() - started:.1f} s (not a target here)")
        contacts = vault.contacts()
        target = contacts[len(contacts) // 2].name
        print(f"  target: {target}; stranger: Stranger 3; company: Acme Corp")
        from mdnet.features.network import Network, find_person, members_at, org_keys

        def query_only(text: str | None, company: str | None = None) -> object:
            network = Network(vault.indexed(), TODAY)  # the index is fresh: no scan
            if company is not None:
                targets = [network.person_of(c) for c, _ in members_at(network, company)]
                return network.paths(targets, skip_orgs=org_keys(network, company))
            person = find_person(network, text or "")
            if person is None or isinstance(person, list):
                raise LookupError(f"no single person named {text!r}")
            return network.paths([person])

        started = time.perf_counter()
        vault.refresh()
        print(f"  no-change index scan       {(time.perf_counter() - started) * 1000:8.0f} ms  (every command pays it)")
        figures = [
            ("path CONTACT (query only)", lambda: query_only(target)),
            ("path STRANGER (query only)", lambda: query_only("Stranger 3")),
            ("path --company (query only)", lambda: query_only(None, "Acme Corp")),
            ("path CONTACT (API)", lambda: vault.path(target, today=TODAY)),
            ("path STRANGER (API)", lambda: vault.path("Stranger 3", today=TODAY)),
            ("path --company (API)", lambda: vault.path(None, company="Acme Corp", today=TODAY)),
            ("who COMPANY (API)", lambda: vault.who("Acme Corp", today=TODAY)),
        ]
        for label, function in figures:
            try:
                seconds = best_of(3, function)
            except Exception as exc:  # a measuring instrument reports and goes on
                print(f"  {label:<28} error: {type(exc).__name__}: {exc}")
                continue
            print(f"  {label:<28} {seconds * 1000:8.0f} ms  target <= {TARGET_SECONDS:.0f} s  "
                  f"{verdict(seconds, TARGET_SECONDS)}")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDNET_")}
    command = [sys.executable, "-m", "mdnet", "--vault", str(root), "--today", TODAY.isoformat(), "path", target,
               "--json"]  # fmt: skip
    seconds = best_of(3, lambda: subprocess.run(command, env=env, capture_output=True, check=False, cwd=REPO_ROOT))
    print(f"  {'mdnet path (new process)':<28} {seconds * 1000:8.0f} ms  target <= {TARGET_SECONDS:.0f} s  "
          f"{verdict(seconds, TARGET_SECONDS)}  (interpreter start included)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep generated vaults here (reused between runs)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mdnet-bench-network-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            print(f"{size} contacts")
            try:
                bench_size(size, args.seed, workdir)
            except Exception as exc:
                print(f"  error: {type(exc).__name__}: {exc}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
