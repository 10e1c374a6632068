"""The windowed program (aidoffice.exe / /opt/aidoffice/aidoffice): no command opens the GUI, a
command runs headless, as `aidoffice` does when installed with pip."""

from ui.launch import main

raise SystemExit(main())
