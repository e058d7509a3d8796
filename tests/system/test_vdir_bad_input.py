"""``mdnet vdir sync`` on hostile cards: one clear line each, the rest synced; and no-op syncs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, run_cli, run_mdnet_process


def _card(uid: str, name: str, extra: str = "") -> bytes:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\n{extra}END:VCARD\r\n".encode()


def test_bad_cards_are_one_line_each_and_the_rest_sync(tmp_path: Path, git_vault: Path) -> None:
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    (vdir / "garbage.vcf").write_bytes(b"this is not a vCard\n")
    (vdir / "one.vcf").write_bytes(_card("twin", "Twin One"))
    (vdir / "two.vcf").write_bytes(_card("twin", "Twin Two"))
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "A" * (5 * 1024 * 1024) + "\r\n"
    (vdir / "big.vcf").write_bytes(_card("big", "Big Photo", photo))
    (vdir / "good.vcf").write_bytes(_card("good", "Good Card", "EMAIL:good@example.com\r\n"))
    (vdir / "half.vcf.tmp").write_bytes(b"BEGIN:VCARD\r\n")  # vdirsyncer's temporary: never read
    (vdir / "README").write_bytes(b"no extension: never read")
    result = run_mdnet_process("--vault", str(git_vault), "vdir", "sync", str(vdir))
    lines = result.err.strip().splitlines()
    assert len(lines) == 3, result.err
    assert any("garbage.vcf" in line and "not a valid vCard" in line for line in lines)
    assert any("one.vcf, two.vcf have the same UID 'twin'" in line for line in lines)
    assert any("big.vcf" in line and "MB, over the 4 MiB" in line for line in lines)
    assert "Traceback" not in result.err
    assert (git_vault / "people" / "Good Card.md").exists()
    assert not (git_vault / "people" / "Twin One.md").exists() and not (git_vault / "people" / "Big Photo.md").exists()
    assert result.code == 0, result.err
    assert sorted(p.name for p in vdir.iterdir()) == ["README", "big.vcf", "garbage.vcf", "good.vcf",
                                                       "half.vcf.tmp", "one.vcf", "two.vcf"]  # fmt: skip


def test_without_a_folder_is_bad_usage(git_vault: Path, tmp_path: Path) -> None:
    code, _, err = run_cli("--vault", str(git_vault), "vdir", "sync")
    assert code == 2 and "vdir" in err
    code, _, err = run_cli("--vault", str(git_vault), "vdir", "sync", str(tmp_path / "missing"))
    assert code == 2 and "no such folder" in err


def test_the_configured_vdir_and_a_no_op_second_sync(git_vault: Path, tmp_path: Path) -> None:
    (git_vault / "mdnet.toml").write_text(f'contact_dirs = ["people"]\nvdir = "{tmp_path / "vdir"}"\n', "utf-8")
    (tmp_path / "vdir").mkdir()
    (git_vault / "people" / "Ann Lee.md").write_text("---\nname: Ann Lee\nrole: CFO\n---\n# Ann\n", "utf-8")
    git(git_vault, "add", "-A")
    git(git_vault, "commit", "-q", "-m", "Ann")
    code, out, err = run_cli("--vault", str(git_vault), "vdir", "sync")
    assert code == 0, err
    cards = list((tmp_path / "vdir").iterdir())
    assert len(cards) == 1 and "TITLE:CFO" in cards[0].read_text("utf-8")
    assert cards[0].name.count("-") == 4 and not cards[0].name.startswith("urn")  # named after the UID
    head = git(git_vault, "rev-parse", "HEAD")
    stamp = cards[0].stat().st_mtime_ns
    code, out, err = run_cli("--vault", str(git_vault), "vdir", "sync")
    assert code == 0 and "nothing to change" in out
    assert git(git_vault, "rev-parse", "HEAD") == head and cards[0].stat().st_mtime_ns == stamp
