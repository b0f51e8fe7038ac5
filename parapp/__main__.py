from parapp.cli import main

raise SystemExit(main())
