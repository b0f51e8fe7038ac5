from parapp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())  # main() first lets a packaged ParApp's reader workers start (freeze_support)
