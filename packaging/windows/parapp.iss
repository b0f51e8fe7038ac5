; Inno Setup script: a per-user installer of ParApp's one-folder bundle (dist\ParApp), needing no administrator
; rights. Built on Windows by packaging\windows\build.ps1 after `python run.py build`:
;   iscc /DAppVersion=0.1.0 packaging\windows\parapp.iss
; Vietnamese first (English selectable), Start-menu and desktop shortcuts, the icon, and an uninstaller that
; keeps the office's data (the database, backups and outbox live in the user's data folder, never here).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "ParApp"
#define Root "..\.."

[Setup]
AppId={{8E4B3C1A-2F6D-4E8B-9A51-7C0D2B6F4A19}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ParApp
; Per user: installs under %LOCALAPPDATA%\Programs, no UAC prompt.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir={#Root}\dist
OutputBaseFilename=ParApp-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\parapp.ico
UninstallDisplayIcon={app}\ParApp.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ShowLanguageDialog=yes

[Languages]
; Vietnamese.isl is in Inno Setup's unofficial translations; build.ps1 fetches it next to this script if the
; installed Inno Setup lacks it.
Name: "vi"; MessagesFile: "Vietnamese.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
vi.DesktopIcon=Tạo biểu tượng trên màn hình
en.DesktopIcon=Create a desktop shortcut
vi.RunParApp=Mở ParApp
en.RunParApp=Open ParApp
vi.CommandLine=ParApp (dòng lệnh)
en.CommandLine=ParApp (command line)

[Tasks]
Name: "desktopicon"; Description: "{cm:DesktopIcon}"; Flags: checkedonce

[Files]
Source: "{#Root}\dist\ParApp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\ParApp.exe"
Name: "{group}\{cm:CommandLine}"; Filename: "{cmd}"; Parameters: "/k ""{app}\parapp-cli.exe"" --help"; WorkingDir: "{userdocs}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\ParApp.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\ParApp.exe"; Description: "{cm:RunParApp}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what ParApp itself may have written inside its own folder: never the user's data folder. A portable
; copy's data folder (a file named "portable" beside ParApp.exe) is not made by this installer and is left.
Type: filesandordirs; Name: "{app}\__pycache__"
