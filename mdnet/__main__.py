"""``python -m mdnet``: the command line."""

from mdnet.cli.main import run

if __name__ == "__main__":
    run()
