# Build the Windows bundle and its installer, then try both. Run from the checkout, in PowerShell:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs Python 3.11+ and Inno Setup 6 (iscc.exe on the PATH or in its default folder).
$ErrorActionPreference = "Stop"
$root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $root

python run.py build          # dist\ParApp, then packaging\smoke.py on a copy in an empty folder
if ($LASTEXITCODE -ne 0) { throw "the bundle failed its smoke test" }

$version = (& .venv\Scripts\python.exe -c "import parapp; print(parapp.__version__)").Trim()
$isl = Join-Path $PSScriptRoot "Vietnamese.isl"
if (-not (Test-Path $isl)) {
    Invoke-WebRequest "https://raw.githubusercontent.com/jrsoftware/issrc/main/Files/Languages/Unofficial/Vietnamese.isl" -OutFile $isl
}
$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" (Join-Path $PSScriptRoot "parapp.iss")
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }

# Install for this user only, silently, into a fresh folder; try the installed copy; uninstall.
$setup = Join-Path $root "dist\ParApp-$version-setup.exe"
$target = Join-Path $env:TEMP "parapp-installed-$version"
& $setup /VERYSILENT /SUPPRESSMSGBOXES /CURRENTUSER "/DIR=$target" | Out-Null
if (-not (Test-Path "$target\parapp-cli.exe")) { throw "the installer did not install parapp-cli.exe" }
& .venv\Scripts\python.exe packaging\smoke.py $target
if ($LASTEXITCODE -ne 0) { throw "the installed copy failed its smoke test" }
& "$target\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES | Out-Null
Write-Host "Built and tried $setup"
