from aidoffice.cli import main

raise SystemExit(main())
