import multiprocessing

from parapp.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a packaged ParApp starts its reader workers from its own executable
    raise SystemExit(main())
