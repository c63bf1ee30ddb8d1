"""`python -m casefile.core.portcheck PORT`: fail with one clear sentence if PORT is taken."""

import socket
import sys


def main(argv: list[str]) -> int:
    try:
        port = int(argv[1])
    except (IndexError, ValueError):
        print("usage: python -m casefile.core.portcheck PORT", file=sys.stderr)
        return 2
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            print(
                f"Port {port} is already in use on 127.0.0.1 (is Casefile already running?). "
                f"Stop that program or choose another port: make run PORT={port + 1}",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
