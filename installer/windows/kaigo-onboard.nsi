; The Windows installer of 介護WEBサービス 初期設定: per user (no
; administrator rights), in Japanese, with a desktop shortcut and a
; Start-menu entry, an uninstaller, and a check for the WebView2 runtime.
;
; Built by scripts/build-windows-installer.sh, which passes what is defined
; once elsewhere: PRODUCT_NAME, IDENTIFIER and VERSION from tauri.conf.json,
; WEBVIEW2_URL from crates/app-core/src/webview_runtime.rs, LINK_SCHEME
; from crates/api/data/join-link-scheme, and the files
; APP_EXE (signed), WEBVIEW2_LOADER (Microsoft's, signed by Microsoft),
; ICON and OUTFILE, and SIGN, the command that signs a file in place.
;
; Tauri's own bundler cannot be used here: it downloads its NSIS plugin
; (nsis_tauri_utils.dll) from GitHub at build time and makes a 32-bit
; installer. This script needs only Debian's makensis and makes a 64-bit one.

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"

!define MAIN_EXE "kaigo-onboard.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENTIFIER}"
; The WebView2 runtime's client id, under which Microsoft's updater records
; the installed version ("pv"): Microsoft's documented way to detect it.
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

; The uninstaller and the installer are signed as they are written (the
; uninstaller before it is packed into the installer): makensis 3.08.
!uninstfinalize '"${SIGN}" "%1"' = 0
!finalize '"${SIGN}" "%1"' = 0

Name "${PRODUCT_NAME}"
OutFile "${OUTFILE}"
; Per-user programs live here (no administrator rights needed).
InstallDir "$LOCALAPPDATA\Programs\kaigo-onboard"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1041 "ProductName" "${PRODUCT_NAME}"
VIAddVersionKey /LANG=1041 "FileDescription" "${PRODUCT_NAME} のインストーラー"
VIAddVersionKey /LANG=1041 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "LegalCopyright" "Kaigo Onboard"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${MAIN_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "「${PRODUCT_NAME}」を今すぐ開く"

; An update started by the app (/P, /UPDATE) asks nothing: the welcome and
; finish pages are skipped, the progress shown, the window closed at the end.
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipWhenPassive
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_INSTFILES
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipWhenPassive
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Japanese"

LangString WEBVIEW2_MISSING 1041 "このパソコンには、アプリの画面を表示するための部品「Microsoft Edge WebView2 ランタイム」が入っていません。$\r$\n$\r$\nインストールはこのまま続けますが、アプリを使う前に、この部品（Microsoft の無料の部品）を入れてください。$\r$\n$\r$\n今すぐ入手先（${WEBVIEW2_URL}）を開きますか？$\r$\n$\r$\n会社のパソコンで入れられないときは、パソコンの管理者にこの画面を見せてください。"
LangString DELETE_DATA 1041 "このパソコンに保存した進み具合・読み込んだ証明書・記録（ログ）も削除しますか？$\r$\n$\r$\nもう一度インストールして続きから使う場合は「いいえ」を選んでください。"

; How the app's updater (tauri-plugin-updater) starts the installer:
;   /P        progress only, no questions (or /S: nothing shown)
;   /UPDATE   over an installed copy
;   /R        start the app again when done, with what follows /ARGS
; and /D=folder (NSIS) last, or else the installed copy's folder
; (InstallDirRegKey). Staff's data is never touched by an install.
Var Passive
Var Update

Function .onInit
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/P" $R1
  ${IfNot} ${Errors}
    StrCpy $Passive 1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/UPDATE" $R1
  ${IfNot} ${Errors}
    StrCpy $Update 1
    StrCpy $Passive 1
  ${EndIf}
  ${If} $Passive == 1
    SetAutoClose true
  ${EndIf}
FunctionEnd

Function SkipWhenPassive
  ${If} $Passive == 1
    Abort
  ${EndIf}
FunctionEnd

; The updater starts the installer and then closes the app: wait until the
; program can be replaced (up to 30 s), then end what is left of it.
Function WaitForTheApp
  ${IfNot} ${FileExists} "$INSTDIR\${MAIN_EXE}"
    Return
  ${EndIf}
  StrCpy $R2 0
  ${DoWhile} $R2 < 60
    ClearErrors
    FileOpen $R3 "$INSTDIR\${MAIN_EXE}" a
    ${IfNot} ${Errors}
      FileClose $R3
      Return
    ${EndIf}
    Sleep 500
    IntOp $R2 $R2 + 1
  ${Loop}
  nsExec::Exec 'taskkill /F /IM "${MAIN_EXE}"'
  Pop $R3
  Sleep 1000
FunctionEnd

; After an unattended install with /R: the app again, with its arguments.
Function .onInstSuccess
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/R" $R1
  ${If} ${Errors}
    Return
  ${EndIf}
  ${If} $Passive != 1
  ${AndIfNot} ${Silent}
    Return
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/ARGS" $R1
  ${If} ${Errors}
    StrCpy $R1 ""
  ${EndIf}
  FileOpen $R2 "$INSTDIR\install.log" a
  FileSeek $R2 0 END
  FileWrite $R2 "relaunched=$R1$\r$\n"
  FileClose $R2
  Exec '"$INSTDIR\${MAIN_EXE}" $R1'
FunctionEnd

; The installed WebView2 runtime's version into $0, or "" when there is none.
Function DetectWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
FunctionEnd

Section "install"
  Call WaitForTheApp
  SetOutPath "$INSTDIR"
  File "/oname=${MAIN_EXE}" "${APP_EXE}"
  ; The gnu build of the WebView2 host loads its loader from beside the program.
  File "/oname=WebView2Loader.dll" "${WEBVIEW2_LOADER}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$DESKTOP\${PRODUCT_NAME}.lnk" "$INSTDIR\${MAIN_EXE}" "" "$INSTDIR\${MAIN_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${PRODUCT_NAME}.lnk" "$INSTDIR\${MAIN_EXE}" "" "$INSTDIR\${MAIN_EXE}" 0

  ; 「アプリと機能」 (Apps & features) lists it and its uninstaller.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Kaigo Onboard"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${MAIN_EXE}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0

  ; The app opens a class's join links (研修): the scheme is registered for
  ; this user, the link handed to the program as its argument.
  WriteRegStr HKCU "Software\Classes\${LINK_SCHEME}" "" "URL:${PRODUCT_NAME}"
  WriteRegStr HKCU "Software\Classes\${LINK_SCHEME}" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\${LINK_SCHEME}\DefaultIcon" "" '"$INSTDIR\${MAIN_EXE}",0'
  WriteRegStr HKCU "Software\Classes\${LINK_SCHEME}\shell\open\command" "" '"$INSTDIR\${MAIN_EXE}" "%1"'

  ; Without the WebView2 runtime the app cannot draw its window: say so now
  ; (the app says it again when opened). A silent install carries on.
  Call DetectWebView2
  FileOpen $1 "$INSTDIR\install.log" w
  FileWrite $1 "product=${IDENTIFIER}$\r$\nversion=${VERSION}$\r$\n"
  ${If} $Update == 1
    FileWrite $1 "update=1$\r$\n"
  ${EndIf}
  ${If} $0 == ""
    FileWrite $1 "webview2_runtime=missing$\r$\n"
    ; An update asks nothing (the app that asked for it was running).
    ${If} $Passive != 1
      MessageBox MB_YESNO|MB_ICONEXCLAMATION "$(WEBVIEW2_MISSING)" /SD IDNO IDNO +2
        ExecShell "open" "${WEBVIEW2_URL}"
    ${EndIf}
  ${Else}
    FileWrite $1 "webview2_runtime=$0$\r$\n"
  ${EndIf}
  FileClose $1
SectionEnd

Section "Uninstall"
  Delete "$DESKTOP\${PRODUCT_NAME}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT_NAME}.lnk"
  Delete "$INSTDIR\${MAIN_EXE}"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\install.log"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Classes\${LINK_SCHEME}"

  ; The app's data (progress, imported certificates, logs) stays unless
  ; staff say otherwise, or an administrator passes /DELETEDATA.
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/DELETEDATA" $1
  ${IfNot} ${Errors}
    RMDir /r "$LOCALAPPDATA\${IDENTIFIER}"
  ${Else}
    MessageBox MB_YESNO|MB_ICONQUESTION "$(DELETE_DATA)" /SD IDNO IDNO +2
      RMDir /r "$LOCALAPPDATA\${IDENTIFIER}"
  ${EndIf}
SectionEnd
