"""``python -m simlib``: see :mod:`simlib.cli`."""

import signal
import sys

try:
    from simlib.cli import main
except KeyboardInterrupt:  # Ctrl-C while starting: nothing has run
    print("interrupted (Ctrl-C): stopped; no partial results were left", file=sys.stderr)
    sys.exit(130)

code = main()
signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done: a late Ctrl-C changes nothing
sys.exit(code)
