; Inno Setup script for the Privacy Ops Console (Windows). Build on Windows:
;   python build_installer.py            (makes dist\privacy-console\)
;   iscc packaging\windows\privacy-console.iss
; Output: dist\privacy-console-setup-<version>.exe. Site configuration goes in
; %PROGRAMDATA%\PrivacyConsole\config.toml (see docs\admin.md).

#define AppVersion GetEnv("CONSOLE_VERSION")
#if AppVersion == ""
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C3F9A52-7E0B-4F5C-9D1E-PRIVACYCONSOLE}
AppName=Privacy Ops Console
AppVersion={#AppVersion}
AppPublisher=ClientPay
DefaultDirName={autopf}\Privacy Ops Console
DefaultGroupName=Privacy Ops Console
OutputDir=..\..\dist
OutputBaseFilename=privacy-console-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin

[Files]
Source: "..\..\dist\privacy-console\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Dirs]
Name: "{commonappdata}\PrivacyConsole"

[Icons]
Name: "{group}\Privacy Ops Console"; Filename: "{app}\privacy-console.exe"
Name: "{commondesktop}\Privacy Ops Console"; Filename: "{app}\privacy-console.exe"; Tasks: desktopicon

[Tasks]
Name: desktopicon; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\privacy-console.exe"; Parameters: "--self-check"; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installation..."
