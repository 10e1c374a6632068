# Build the Windows program folder (PyInstaller) and its installer (NSIS) on a Windows machine.
#   powershell -ExecutionPolicy Bypass -File installer\build_windows.ps1
# Needs: Python 3.11+ (python.org, "py" launcher) and NSIS 3 (makensis on PATH, or in
# "C:\Program Files (x86)\NSIS"). Produces dist\aidoffice\ (aidoffice.exe windowed, aidoffice-cli.exe
# console) and dist\aidoffice-<version>-setup.exe. docs\dev\building.md says more.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Build = Join-Path $Root "installer\build"
$Venv = Join-Path $Build "venv-win"
New-Item -ItemType Directory -Force -Path $Build, (Join-Path $Root "dist") | Out-Null

# the version is written in one place: aidoffice/__init__.py
$Version = (Select-String -Path "aidoffice\__init__.py" -Pattern '__version__ = "(.+?)"').Matches[0].Groups[1].Value
Write-Host "== aidoffice $Version"

if (-not (Test-Path "$Venv\Scripts\python.exe")) {
  if (Get-Command py -ErrorAction SilentlyContinue) { py -3 -m venv $Venv } else { python -m venv $Venv }
}
$Py = "$Venv\Scripts\python.exe"
& $Py -m pip install -q --upgrade pip wheel
# non-editable install: an editable one hides the aidoffice package from PyInstaller
& $Py -m pip install -q ".[postgres]" pyinstaller
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

Write-Host "== PyInstaller"
Push-Location $Build
& $Py -m PyInstaller --noconfirm --log-level WARN --workpath "$Build\work" --distpath "$Root\dist" "$Root\installer\aidoffice.spec"
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
Pop-Location

Write-Host "== check the console program"
& "$Root\dist\aidoffice\aidoffice-cli.exe" --version
if ($LASTEXITCODE -ne 0) { throw "aidoffice-cli.exe does not start" }
$env:AIDOFFICE_HOME = Join-Path $Build "smoke-home"
& "$Root\dist\aidoffice\aidoffice-cli.exe" --json demo --students 50
if ($LASTEXITCODE -ne 0) { throw "aidoffice-cli.exe demo failed" }
& "$Root\dist\aidoffice\aidoffice-cli.exe" --json letters policy --out "$Build\smoke-letters.pdf"
if ($LASTEXITCODE -ne 0) { throw "aidoffice-cli.exe letters failed" }
Remove-Item Env:\AIDOFFICE_HOME

Write-Host "== NSIS"
$Makensis = (Get-Command makensis -ErrorAction SilentlyContinue).Source
if (-not $Makensis) { $Makensis = "${env:ProgramFiles(x86)}\NSIS\makensis.exe" }
$Setup = Join-Path $Root "dist\aidoffice-$Version-setup.exe"
Push-Location (Join-Path $Root "installer")
& $Makensis /V2 /INPUTCHARSET UTF8 "/DVERSION=$Version" "/DBUNDLE=$Root\dist\aidoffice" "/DOUTFILE=$Setup" aidoffice.nsi
if ($LASTEXITCODE -ne 0) { throw "makensis failed" }
Pop-Location
$Size = [math]::Round((Get-Item $Setup).Length / 1MB, 1)
Write-Host "installer: $Setup ($Size MB)"
