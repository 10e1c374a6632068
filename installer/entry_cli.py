"""The console program (aidoffice-cli.exe): the same commands, with a console for their output and
exit status. On Windows the console is switched to UTF-8, so 𠮷 and 䶮 print instead of crashing."""

import sys

if sys.platform == "win32":
    import ctypes

    ctypes.windll.kernel32.SetConsoleOutputCP(65001)
    ctypes.windll.kernel32.SetConsoleCP(65001)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.reconfigure(encoding="utf-8", errors="replace")

from ui.launch import main

raise SystemExit(main())
