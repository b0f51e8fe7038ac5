"""The bundle's entry point, for both executables: the window (ParApp) and the command line (parapp-cli).

Without arguments ParApp opens the window; with a command it runs it (parapp-cli --help). freeze_support lets
the reader worker processes, which the bundle starts from its own executable, run their task and not a
second ParApp."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from parapp.cli import main

    sys.exit(main())
