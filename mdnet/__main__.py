"""``python -m mdnet``: the command line."""

from mdnet.cli import run

if __name__ == "__main__":
    run()
