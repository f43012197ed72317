from crossings.cli import main

raise SystemExit(main())
