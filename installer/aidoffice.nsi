; 学校资助办助手 — Windows installer (NSIS 3, Unicode).
; Per-user: installs in %LOCALAPPDATA%\Programs\aidoffice without administrator rights; start-menu and
; desktop shortcuts; the .aidbak association under HKCU; an uninstaller that keeps the user's data
; (%LOCALAPPDATA%\aidoffice: the database and its backups) unless its checkbox asks to delete it.
;
;   makensis /DVERSION=x.y.z /DBUNDLE=dist\aidoffice /DOUTFILE=dist\aidoffice-x.y.z-setup.exe installer\aidoffice.nsi
; build_windows.ps1 passes VERSION from aidoffice/__init__.py (the one place it is written).

Unicode true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !error "VERSION is not defined: makensis /DVERSION=x.y.z (build_windows.ps1 reads it from aidoffice/__init__.py)"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\dist\aidoffice"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\aidoffice-${VERSION}-setup.exe"
!endif

!define NAME "学校资助办助手"
!define KEY "aidoffice"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${KEY}"
!define ICON "..\resources\icons\aidoffice.ico"

Name "${NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\aidoffice"
InstallDirRegKey HKCU "Software\${KEY}" "InstallDir"
BrandingText "${NAME} ${VERSION}"
ShowInstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${NAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${NAME} 安装程序"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "aidoffice"

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\aidoffice.exe"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开${NAME}"
!define MUI_COMPONENTSPAGE_NODESC

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_PAGE_HEADER_TEXT "卸载选项"
!define MUI_PAGE_HEADER_SUBTEXT "程序文件一定删除；您的数据（数据库、备份）默认保留。"
!define MUI_COMPONENTSPAGE_TEXT_TOP "不勾选时，数据库和备份保留在 %LOCALAPPDATA%\aidoffice，重新安装后可以继续使用。"
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

Section "${NAME}" SecMain
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  ; a running copy holds its files: NSIS then asks 重试/忽略/中止 for each (close the program, 重试)
  File /r "${BUNDLE}\*.*"
  File "/oname=aidoffice.ico" "${ICON}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${NAME}"
  CreateShortcut "$SMPROGRAMS\${NAME}\${NAME}.lnk" "$INSTDIR\aidoffice.exe" "" "$INSTDIR\aidoffice.ico"
  CreateShortcut "$SMPROGRAMS\${NAME}\卸载${NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${NAME}.lnk" "$INSTDIR\aidoffice.exe" "" "$INSTDIR\aidoffice.ico"

  ; .aidbak: the program's backups, shown with its icon; opening one opens the program (恢复 is asked there)
  WriteRegStr HKCU "Software\Classes\.aidbak" "" "aidoffice.backup"
  WriteRegStr HKCU "Software\Classes\aidoffice.backup" "" "${NAME}备份"
  WriteRegStr HKCU "Software\Classes\aidoffice.backup\DefaultIcon" "" "$INSTDIR\aidoffice.ico,0"
  WriteRegStr HKCU "Software\Classes\aidoffice.backup\shell\open\command" "" '"$INSTDIR\aidoffice.exe"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  WriteRegStr HKCU "Software\${KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\aidoffice.ico"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "aidoffice"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "un.${NAME}（程序文件）" UnSecMain
  SectionIn RO
  SetShellVarContext current
  Delete "$DESKTOP\${NAME}.lnk"
  RMDir /r "$SMPROGRAMS\${NAME}"
  DeleteRegKey HKCU "Software\Classes\aidoffice.backup"
  ReadRegStr $0 HKCU "Software\Classes\.aidbak" ""
  StrCmp $0 "aidoffice.backup" 0 +2
    DeleteRegKey HKCU "Software\Classes\.aidbak"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "Software\${KEY}"
  RMDir /r "$INSTDIR"
SectionEnd

; unticked unless the clerk asks: the database and its backups are the office's records
Section /o "un.同时删除我的数据（数据库和所有备份，无法恢复）" UnSecData
  SetShellVarContext current
  MessageBox MB_ICONEXCLAMATION|MB_YESNO|MB_DEFBUTTON2 \
    "将删除 $LOCALAPPDATA\aidoffice 中的数据库和所有备份，删除后无法恢复。确定吗？" /SD IDNO IDYES +2
  Return
  RMDir /r "$LOCALAPPDATA\aidoffice"
SectionEnd
