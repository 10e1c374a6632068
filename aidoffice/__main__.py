"""`python -m aidoffice COMMAND …`: the headless commands (aidoffice.cli). The core never imports `ui`,
so this entry opens no window: with no command it prints the commands and exits 2. The program a clerk
starts is the `aidoffice` console command (`ui.launch:main`, also `python -m ui`): the GUI with no
command, the same headless commands otherwise."""

from aidoffice.cli import main

raise SystemExit(main())
