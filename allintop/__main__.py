from allintop.cli.main import main

raise SystemExit(main())
