"""`python -m bench NAME [options]`: run a benchmark by name.

    python -m bench national --database-url postgres://... --provinces 22 --json out.json

The single-file benchmarks (`python bench/<name>.py`) are listed in the README.
"""

import sys


def main() -> None:
    names = {"national": "bench.national"}
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        sys.exit(f"usage: python -m bench {{{'|'.join(names)}}} [options]")
    module = __import__(names[sys.argv[1]], fromlist=["main"])
    module.main(sys.argv[2:])


if __name__ == "__main__":
    main()
