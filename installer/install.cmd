@echo off
rem install.cmd: Group Policy startup script that installs or upgrades the kbsentry agent from
rem the newest kbsentry-<version>-<x86|x64>.msi next to it, when the agent is missing or older.
rem Every outcome goes to the Application event log (source kbsentry-setup); the msiexec log of
rem the last run is %SystemRoot%\Temp\kbsentry-msi.log.
rem   install.cmd [PROPERTY=value ...]    e.g. install.cmd DROPSHARE=\\srv\kbs$ SCANINTERVAL=240
rem Exit code: 0 installed or up to date, 1 nothing suitable to install, else msiexec's code.
rem Written for XP's cmd: no delayed expansion, one statement per line where results are tested.
setlocal EnableExtensions

rem Startup scripts may run in a 32-bit cmd on 64-bit Windows, which sees the 32-bit registry:
rem start over in the native one (Sysnative: Vista and later, XP x64 with KB942589).
if not defined PROCESSOR_ARCHITEW6432 goto native
if not exist "%SystemRoot%\Sysnative\cmd.exe" goto native
"%SystemRoot%\Sysnative\cmd.exe" /c ""%~f0" %*"
exit /b %errorlevel%
:native

set "ARCH="
if /i "%PROCESSOR_ARCHITECTURE%"=="x86" set "ARCH=x86"
if /i "%PROCESSOR_ARCHITECTURE%"=="AMD64" set "ARCH=x64"
if /i "%PROCESSOR_ARCHITEW6432%"=="AMD64" set "ARCH=x64"
if defined ARCH goto arch_ok
call :log ERROR 20 "kbsentry-setup: no kbsentry package for processor architecture %PROCESSOR_ARCHITECTURE% %PROCESSOR_ARCHITEW6432%."
exit /b 1
:arch_ok

rem The newest well-formed package for this architecture in the script's folder, which for a
rem startup script is a UNC path (SYSVOL, \\server\deploy$). pushd maps it to a temporary drive
rem letter that popd removes again, so a package is kept by the folder's own name (%HERE%) and
rem its file name, never by %%~f (Z:\...: msiexec would fail with 1619 after popd). The
rem pattern is unquoted: some cmd clones glob no quoted one.
set "MSI="
set "NEW="
set "HERE=%~dp0"
pushd "%HERE%"
if not errorlevel 1 goto in_dir
call :log ERROR 22 "kbsentry-setup: cannot open the folder %HERE%."
exit /b 1
:in_dir
for %%F in (kbsentry-*-%ARCH%.msi) do call :consider "%HERE%%%~nxF" "%%~nF"
popd
if defined MSI goto have_msi
call :log ERROR 21 "kbsentry-setup: no kbsentry-VERSION-%ARCH%.msi in %HERE%."
exit /b 1
:have_msi

rem The installed version, as the package wrote it, and whether its service exists.
set "CUR="
for /f "tokens=2,*" %%a in ('reg query "HKLM\SOFTWARE\kbsentry" /v Version 2^>nul ^| find "REG_SZ"') do set "CUR=%%b"
if not defined CUR goto cur_done
call :parse "%CUR%"
if errorlevel 1 set "CUR="
:cur_done
set "SVC=1"
sc query kbsentry >nul 2>&1
if errorlevel 1 set "SVC=0"

set "WHY=install"
if not defined CUR goto run
set "WHY=upgrade"
call :newer "%NEW%" "%CUR%"
if not errorlevel 1 goto run
set "WHY=repair"
if "%SVC%"=="0" goto run
call :newer "%CUR%" "%NEW%"
if errorlevel 1 goto up_to_date
call :log INFORMATION 11 "kbsentry-setup: kbsentry %CUR% is newer than the package %NEW%; nothing to do."
exit /b 0
:up_to_date
call :log INFORMATION 10 "kbsentry-setup: kbsentry %CUR% is up to date."
exit /b 0

:run
set "MSILOG=%SystemRoot%\Temp\kbsentry-msi.log"
rem A repair (this version, but its service is gone) reinstalls every file and registry value.
set "EXTRA="
if "%WHY%"=="repair" set "EXTRA=REINSTALL=ALL REINSTALLMODE=vomus"
msiexec /i "%MSI%" /qn /norestart /l*v "%MSILOG%" %EXTRA% %*
set "RC=%errorlevel%"
if "%RC%"=="0" goto done
if "%RC%"=="3010" goto done
if "%RC%"=="1641" goto done
if not "%RC%"=="1618" goto failed
call :log WARNING 31 "kbsentry-setup: another installation was running; kbsentry %NEW% will be tried at the next start."
exit /b %RC%
:failed
call :log ERROR 30 "kbsentry-setup: %WHY% of kbsentry %NEW% from %MSI% failed with msiexec code %RC%; see %MSILOG%."
exit /b %RC%
:done
set "FROM="
if defined CUR set "FROM= (%WHY% from %CUR%)"
call :log INFORMATION 1 "kbsentry-setup: kbsentry %NEW% installed%FROM% from %MSI%."
exit /b 0

rem :consider "full path" "kbsentry-a.b.c-ARCH": keeps it in MSI/NEW when it is the newest yet.
:consider
set "N=%~2"
set "N=%N:~9%"
call set "N=%%N:-%ARCH%=%%"
call :parse "%N%"
if errorlevel 1 exit /b 0
if not defined NEW goto consider_take
call :newer "%N%" "%NEW%"
if errorlevel 1 exit /b 0
:consider_take
set "NEW=%N%"
set "MSI=%~1"
exit /b 0

rem :parse "a.b.c" -> errorlevel 0 when a, b and c are plain decimal numbers (no sign, no
rem leading zero that set /a would read as octal), 1 otherwise.
:parse
setlocal
set "V=%~1"
if not defined V exit /b 1
set "P1="
set "P2="
set "P3="
set "P4="
for /f "tokens=1-4 delims=." %%a in ("%V%") do call :parse_parts "%%a" "%%b" "%%c" "%%d"
if not defined P3 exit /b 1
if defined P4 exit /b 1
if not "%P1%.%P2%.%P3%"=="%V%" exit /b 1
call :parse_num "%P1%"
if errorlevel 1 exit /b 1
call :parse_num "%P2%"
if errorlevel 1 exit /b 1
call :parse_num "%P3%"
exit /b %errorlevel%
:parse_parts
set "P1=%~1"
set "P2=%~2"
set "P3=%~3"
set "P4=%~4"
exit /b 0
:parse_num
set "X="
set /a "X=%~1" >nul 2>&1
if not "%X%"=="%~1" exit /b 1
exit /b 0

rem :newer "a.b.c" "x.y.z" -> errorlevel 0 when the first version is higher (both parsed).
:newer
setlocal
for /f "tokens=1-3 delims=." %%a in ("%~1") do set /a "A1=%%a, A2=%%b, A3=%%c" >nul
for /f "tokens=1-3 delims=." %%a in ("%~2") do set /a "B1=%%a, B2=%%b, B3=%%c" >nul
if %A1% GTR %B1% exit /b 0
if %A1% LSS %B1% exit /b 1
if %A2% GTR %B2% exit /b 0
if %A2% LSS %B2% exit /b 1
if %A3% GTR %B3% exit /b 0
exit /b 1

rem :log TYPE ID "text": one Application event (eventcreate: XP and later), echoed as well.
:log
echo %~3
eventcreate /L APPLICATION /SO kbsentry-setup /T %1 /ID %2 /D "%~3" >nul 2>&1
exit /b 0
