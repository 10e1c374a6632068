"""`python -m aidoffice`: the same program as the `aidoffice` console command (pyproject's
[project.scripts] names `ui.launch:main`): the GUI with no command, the headless commands otherwise.
The entry point is found by name, as the console script is: the core never imports `ui`."""

import importlib

raise SystemExit(importlib.import_module("ui.launch").main())
