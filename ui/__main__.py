"""`python -m ui`: the program as the `aidoffice` console command starts it (ui.launch)."""

from ui.launch import main

raise SystemExit(main())
