from allintop.cli import main

raise SystemExit(main())
