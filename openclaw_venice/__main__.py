from openclaw_venice.runtime.cli import main

raise SystemExit(main())
