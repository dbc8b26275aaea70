from pypage.cli import main

raise SystemExit(main())
