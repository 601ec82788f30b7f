//! The texts themselves. `page`: placed on the page by key (`data-text` in
//! `ui/index.html`, `text(…)` in `ui/`); a test holds the page and this list
//! to each other. `composed`: sentences Rust puts together (check results,
//! notices, advice), which reach the page inside an answer.

use kaigo_domain::Language;
use serde::Serialize;

/// Names the page may fill in itself (values of the moment), beside the
/// numbers of the rules.
pub const VALUES_OF_THE_MOMENT: &[&str] = &[
    "name",
    "path",
    "label",
    "days",
    "office_number",
    "issuer",
    "date",
    "status",
    "where",
    "electronic_billing_id",
    "password",
    "security_code",
    "channel",
    "destination",
    "user_id",
];

macro_rules! catalogue {
    (
        page { $( $(#[$pm:meta])* $pv:ident = $pk:literal { ja: $pja:literal, en: $pen:literal } )+ }
        composed { $( $(#[$cm:meta])* $cv:ident = $ck:literal { ja: $cja:literal, en: $cen:literal } )+ }
    ) => {
        /// One text of the app, by its key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum Text {
            $( $(#[$pm])* #[serde(rename = $pk)] $pv, )+
            $( $(#[$cm])* #[serde(rename = $ck)] $cv, )+
        }

        impl Text {
            /// The texts the page places by key.
            pub const PAGE: &'static [Text] = &[ $( Text::$pv, )+ ];
            /// The texts Rust composes into its answers.
            pub const COMPOSED: &'static [Text] = &[ $( Text::$cv, )+ ];

            pub fn key(self) -> &'static str {
                match self { $( Text::$pv => $pk, )+ $( Text::$cv => $ck, )+ }
            }

            /// The template, its numbers and values still named.
            pub fn template(self, language: Language) -> &'static str {
                match (self, language) {
                    $( (Text::$pv, Language::Japanese) => $pja, (Text::$pv, Language::English) => $pen, )+
                    $( (Text::$cv, Language::Japanese) => $cja, (Text::$cv, Language::English) => $cen, )+
                }
            }
        }
    };
}

catalogue! {
    page {
        // ---- the frame ----
        AppTitle = "app_title" { ja: "介護WEBサービス 初期設定", en: "介護WEBサービス set-up" }
        PracticeBadge = "practice_badge" { ja: "練習モード", en: "Practice mode" }
        ProgressLabel = "progress_label" { ja: "手続きの進み具合", en: "Progress" }
        StepPreflight = "step_preflight" { ja: "事前チェック", en: "Pre-flight check" }
        StepOfficeLogin = "step_office_login" { ja: "3-1 事業所ユーザの認証", en: "3-1 Office user login" }
        StepAdminRegistration = "step_admin_registration" { ja: "3-2 管理者ユーザの登録", en: "3-2 Admin user registration" }
        StepAdminLogin = "step_admin_login" { ja: "3-3 管理者ユーザの認証", en: "3-3 Admin user login" }
        StepTerminal = "step_terminal" { ja: "3-4 端末の事前設定", en: "3-4 Terminal pre-setup" }
        StepFinished = "step_finished" { ja: "完了", en: "Done" }
        LoadingTitle = "loading_title" { ja: "準備しています…", en: "Getting ready…" }
        LoadingWait = "loading_wait" { ja: "しばらくお待ちください。", en: "Please wait a moment." }
        PageFault = "page_fault" {
            ja: "画面の表示で問題が起きました。アプリを閉じて、もう一度開いてください。",
            en: "The screen ran into a problem. Close the app and open it again." }
        Yes = "yes" { ja: "はい", en: "Yes" }
        No = "no" { ja: "いいえ", en: "No" }
        ChannelEmail = "channel_email" { ja: "メール", en: "mail" }
        ChannelSms = "channel_sms" { ja: "SMS", en: "SMS" }

        // ---- 事前チェック ----
        PreflightIntro = "preflight_intro" {
            ja: "はじめに、事業所の**クライアント証明書**を選び、このPCで手続きができるか確かめます。",
            en: "First choose the office's **client certificate** and check that this PC can do the set-up." }
        CertificateChoose = "certificate_choose" { ja: "クライアント証明書を選ぶ", en: "Choose the client certificate" }
        CertificateListLabel = "certificate_list_label" { ja: "クライアント証明書", en: "Client certificate" }
        CertificatesNone = "certificates_none" {
            ja: "証明書がまだありません。下の「証明書ファイルを取り込む」から取り込んでください。",
            en: r#"No certificate yet. Import one below with "Import a certificate file"."# }
        CertificateStatusValid = "certificate_status_valid" { ja: "有効", en: "valid" }
        CertificateStatusExpiresSoon = "certificate_status_expires_soon" { ja: "あと{days}日で期限切れ", en: "expires in {days} days" }
        CertificateStatusExpired = "certificate_status_expired" { ja: "期限切れ（使えません）", en: "expired (cannot be used)" }
        CertificateStatusNotYetValid = "certificate_status_not_yet_valid" { ja: "まだ使えません", en: "not valid yet" }
        CertificateSourceAppStore = "certificate_source_app_store" { ja: "このアプリに取り込んだ証明書", en: "imported into this app" }
        CertificateSourceNss = "certificate_source_nss" { ja: "ブラウザ（Chrome など）の証明書", en: "the browser's certificates (Chrome etc.)" }
        CertificateSourceWindowsStore = "certificate_source_windows_store" { ja: "Windows の証明書ストア", en: "the Windows certificate store" }
        CertificateSourceMacosKeychain = "certificate_source_macos_keychain" { ja: "macOS のキーチェーン", en: "the macOS keychain" }
        CertificateOffice = "certificate_office" {
            ja: "事業所番号 {office_number}　発行元 {issuer}",
            en: "Office number {office_number}, issued by {issuer}" }
        CertificateValidUntil = "certificate_valid_until" { ja: "有効期限 {date}（{status}）", en: "Valid until {date} ({status})" }
        CertificateKeptIn = "certificate_kept_in" { ja: "保管場所 {where}", en: "Kept in {where}" }
        ImportSummary = "import_summary" { ja: "証明書ファイル（.p12）を取り込む", en: "Import a certificate file (.p12)" }
        ImportIntro = "import_intro" {
            ja: "事業所に届いた証明書ファイル（拡張子 .p12 または .pfx）を選び、そのパスワードを入力してください。ファイルはこのアプリの中に保管され、パスワードはPCの安全な保管場所（キーチェーン）に入ります。",
            en: "Choose the certificate file the office received (.p12 or .pfx) and enter its password. The file is kept inside this app and the password in the PC's safe place for passwords (the keychain)." }
        ImportFileLabel = "import_file_label" { ja: "証明書ファイル", en: "Certificate file" }
        ImportPasswordLabel = "import_password_label" { ja: "証明書のパスワード", en: "Certificate password" }
        ImportButton = "import_button" { ja: "取り込む", en: "Import" }
        ImportDone = "import_done" {
            ja: "証明書「{label}」を取り込みました。一覧から選んでください。",
            en: r#"The certificate "{label}" was imported. Choose it in the list."# }
        ChecksTitle = "checks_title" { ja: "チェック結果", en: "Results" }
        ChecksPress = "checks_press" { ja: "「チェックする」を押してください。", en: r#"Press "Check"."# }
        CheckButton = "check_button" { ja: "チェックする", en: "Check" }
        NextButton = "next_button" { ja: "次へ進む", en: "Next" }

        // ---- 3-1 ----
        ReadinessSummary = "readiness_summary" {
            ja: "準備できていますか（始める前に確かめてください）",
            en: "Are you ready? (check before you start)" }
        OfficeLoginIntro = "office_login_intro" {
            ja: "電子請求受付システムで使っている**ユーザID**とパスワードを入力してください。",
            en: "Enter the **user ID** and password you use in the electronic-billing system." }
        UserIdLabel = "user_id_label" { ja: "ユーザID", en: "User ID" }
        KjRule = "kj_rule" { ja: "（「KJ」から始まる{kj_short}桁または{kj_long}桁）", en: "({kj_short} or {kj_long} characters starting with KJ)" }
        PasswordLabel = "password_label" { ja: "パスワード", en: "Password" }
        CapsLock = "caps_lock" {
            ja: "Caps Lock（大文字固定）がオンになっています。パスワードは大文字と小文字を区別します。",
            en: "Caps Lock is on. Passwords are case-sensitive." }
        RememberOffice = "remember_office" {
            ja: "このPCにパスワードを保存する（PCの安全な保管場所〈キーチェーン〉に入ります。共用のPCでは使わないでください）",
            en: "Save the password on this PC (in its safe place for passwords, the keychain; do not use on a shared PC)" }
        SavedPasswordPlaceholder = "saved_password_placeholder" {
            ja: "保存したパスワードを使います（空欄のまま）",
            en: "The saved password is used (leave empty)" }
        LoginButton = "login_button" { ja: "ログイン", en: "Log in" }
        PracticeHint = "practice_hint" {
            ja: "練習用の事業所：ユーザID {electronic_billing_id}　パスワード {password}　セキュリティコード {security_code}",
            en: "Practice office: user ID {electronic_billing_id}, password {password}, security code {security_code}" }
        OfficeCodeTitle = "office_code_title" { ja: "3-1 ワンタイム認証", en: "3-1 One-time code" }
        CodeSent = "code_sent" {
            ja: "ワンタイム認証コードを{channel}で {destination} に送りました。",
            en: "The one-time code was sent by {channel} to {destination}." }
        CodeTimeLeft = "code_time_left" { ja: "有効期限まで", en: "Time left:" }
        SecurityCodeLabel = "security_code_label" { ja: "セキュリティコード", en: "Security code" }
        CodeLabel = "code_label" { ja: "ワンタイム認証コード（{code_digits}桁）", en: "One-time code ({code_digits} digits)" }
        CodeHint = "code_hint" {
            ja: "届いた{code_digits}桁の数字を入力してください。有効期限は{code_lifetime}です。",
            en: "Enter the {code_digits} digits you received. The code works for {code_lifetime}." }
        VerifyButton = "verify_button" { ja: "認証する", en: "Verify" }
        ResendButton = "resend_button" { ja: "コードを再送する", en: "Send the code again" }

        // ---- 3-2 ----
        AdminFormIntro = "admin_form_intro" {
            ja: "日々の業務で使う**管理者ユーザ**を登録します。サービス種類と職種区分は、このアカウントで扱う情報の種類を決めるものです。正確に入力してください。",
            en: "Register the **admin user** for everyday work. The service types and job category decide which kinds of information this account handles. Enter them exactly." }
        AdminFormNote = "admin_form_note" {
            ja: "利用者の情報が見られるのは、これだけでは足りません。事業所で**利用者ご本人の本人確認と同意**をいただいていること、そして利用者の**市町村のデータ移行**が済んでいることも必要です。登録直後に情報が空に見えても故障ではありません。",
            en: "That alone does not make a care recipient's information visible: the office also needs **the recipient's identity check and consent**, and **the municipality's data migration** must be done. Information that looks empty right after registering is not a fault." }
        NameLabel = "name_label" { ja: "氏名", en: "Name" }
        ContactLegend = "contact_legend" { ja: "連絡先（どちらか一方は必ず入力）", en: "Contact (at least one of the two)" }
        EmailLabel = "email_label" { ja: "メールアドレス", en: "Mail address" }
        PhoneLabel = "phone_label" { ja: "電話番号（携帯電話ならSMSも使えます）", en: "Phone number (a mobile can receive SMS)" }
        ServiceTypesLegend = "service_types_legend" { ja: "従事するサービス種類（1つ以上）", en: "Service types you work in (one or more)" }
        ServiceTypeUnconfirmed = "service_type_unconfirmed" { ja: "（未確認）", en: " (unconfirmed)" }
        JobCategoryLabel = "job_category_label" { ja: "職種区分", en: "Job category" }
        ChooseOption = "choose_option" { ja: "選んでください", en: "Choose" }
        AdminUserIdLabel = "admin_user_id_label" {
            ja: "ユーザID（{user_id_min}〜{user_id_max}文字の半角英数字）",
            en: "User ID ({user_id_min}–{user_id_max} half-width letters and digits)" }
        ReviewButton = "review_button" { ja: "確認画面へ", en: "Review" }
        AdminConfirmTitle = "admin_confirm_title" { ja: "3-2 登録内容の確認", en: "3-2 Review" }
        RegisterButton = "register_button" { ja: "管理者ユーザの登録を完了する", en: "Register the admin user" }
        BackToFormButton = "back_to_form_button" { ja: "戻って直す", en: "Go back and correct" }
        AdminDoneTitle = "admin_done_title" { ja: "3-2 登録が完了しました", en: "3-2 Registered" }
        AdminDoneText = "admin_done_text" {
            ja: "管理者ユーザ「{user_id}」を登録しました。初期パスワードを{channel}で {destination} に送りました。",
            en: r#"The admin user "{user_id}" is registered. The initial password was sent by {channel} to {destination}."# }
        AdminDoneNext = "admin_done_next" {
            ja: "届いたメッセージに書かれた**ユーザID**と**初期パスワード**で、次の画面からログインします。",
            en: "On the next screen, log in with the **user ID** and **initial password** in the message you received." }
        AdminDoneButton = "admin_done_button" { ja: "管理者ユーザでログインする", en: "Log in as the admin user" }

        // ---- 3-3 ----
        AdminLoginIntro = "admin_login_intro" {
            ja: "管理者ユーザのユーザIDと、届いたメッセージの初期パスワードを入力してください。",
            en: "Enter the admin user's ID and the initial password from the message you received." }
        AdminCodeTitle = "admin_code_title" { ja: "3-3 ワンタイム認証", en: "3-3 One-time code" }
        ChannelLegend = "channel_legend" { ja: "ワンタイム認証コードの受け取り方", en: "How to receive the one-time code" }
        ChannelByEmail = "channel_by_email" { ja: "メールで受け取る", en: "By mail" }
        ChannelBySms = "channel_by_sms" { ja: "SMSで受け取る", en: "By SMS" }
        SendCodeButton = "send_code_button" { ja: "コードを送る", en: "Send the code" }
        RememberDevice = "remember_device" {
            ja: "このPCを{device_trust_lifetime}記憶する（次回はコード入力を省略）",
            en: "Remember this PC for {device_trust_lifetime} (no code next time)" }
        VerifyAndGoButton = "verify_and_go_button" { ja: "認証してトップ画面へ進む", en: "Verify and go on" }
        PasswordTitle = "password_title" { ja: "3-3 パスワードの再設定（初回のみ）", en: "3-3 New password (first login only)" }
        PasswordIntro = "password_intro" {
            ja: "安全のため、初期パスワードを新しいパスワードに変えます。",
            en: "For safety, replace the initial password with a new one." }
        NewPasswordLabel = "new_password_label" { ja: "新しいパスワード", en: "New password" }
        NewPasswordAgainLabel = "new_password_again_label" { ja: "新しいパスワード（確認のためもう一度）", en: "New password (again, to confirm)" }
        PasswordRuleLength = "password_rule_length" { ja: "{password_min}文字以上", en: "At least {password_min} characters" }
        PasswordRuleKinds = "password_rule_kinds" {
            ja: "英大文字・英小文字・数字・記号のうち{password_kinds}種類以上",
            en: "At least {password_kinds} of: upper-case, lower-case, digits, symbols" }
        PasswordRuleCharacters = "password_rule_characters" { ja: "半角の英字・数字・記号だけ", en: "Only half-width letters, digits and symbols" }
        PasswordRuleUserId = "password_rule_user_id" { ja: "ユーザIDを含まない", en: "Does not contain the user ID" }
        PasswordRuleCommon = "password_rule_common" { ja: "よく使われるパスワードではない", en: "Not a commonly used password" }
        PasswordRuleSame = "password_rule_same" { ja: "確認の入力と同じ", en: "Same as the confirmation" }
        ChangePasswordButton = "change_password_button" { ja: "パスワードを変更する", en: "Change the password" }

        // ---- 3-4 ----
        TerminalTitle = "terminal_title" { ja: "3-4 マイナ資格確認アプリの事前設定", en: "3-4 マイナ資格確認アプリ pre-setup" }
        TerminalIntro = "terminal_intro" {
            ja: "マイナンバーカードを読み取る**資格確認端末**を登録します。端末には「マイナ資格確認アプリ」を入れ、ここで出す**利用開始コード**で使えるようにします。",
            en: "Register the **card-reading terminals** that read My Number Cards. Each terminal runs the マイナ資格確認アプリ, which is switched on with the **activation code** shown here." }
        TerminalKindLegend = "terminal_kind_legend" { ja: "どの端末を登録しますか", en: "Which terminal are you registering?" }
        TerminalChoiceThisPc = "terminal_choice_this_pc" {
            ja: "このPC（Windowsのパソコン。カードリーダーをつないで使います）",
            en: "This PC (a Windows PC with a card reader connected)" }
        TerminalChoiceMobile = "terminal_choice_mobile" {
            ja: "スマートフォン・タブレット（iPhone・Android。NFCまたはカードリーダーで読み取ります）",
            en: "Phone or tablet (iPhone or Android, reading by NFC or a card reader)" }
        TerminalNameLabel = "terminal_name_label" { ja: "端末名", en: "Terminal name" }
        TerminalDefaultNameThisPc = "terminal_default_name_this_pc" { ja: "受付PC1", en: "Reception PC 1" }
        TerminalDefaultNameMobile = "terminal_default_name_mobile" { ja: "職員スマホ1", en: "Staff phone 1" }
        TerminalRegisterButton = "terminal_register_button" { ja: "この端末を登録する", en: "Register this terminal" }
        DeviceTitle = "device_title" { ja: "スマートフォン・タブレットで読み取ってください", en: "Scan with the phone or tablet" }
        DeviceIntro = "device_intro" {
            ja: "端末のマイナ資格確認アプリで「利用開始」を選び、このQRコードを読み取るか、利用開始コードを入力してください。",
            en: r#"In the terminal's マイナ資格確認アプリ choose "start using" (利用開始), then scan this QR code or type the activation code."# }
        QrLabel = "qr_label" { ja: "利用開始コードのQRコード", en: "QR code of the activation code" }
        ActivationCodeLabel = "activation_code_label" { ja: "利用開始コード", en: "Activation code" }
        TimeLeftLabel = "time_left_label" { ja: "残り時間", en: "Time left" }
        ActivationHint = "activation_hint" {
            ja: "利用開始コードの有効期限は{activation_lifetime}です。{activation_max_attempts}回まちがえると使えなくなります。",
            en: "The activation code works for {activation_lifetime} and is void after {activation_max_attempts} wrong entries." }
        ActivationWaiting = "activation_waiting" { ja: "端末での読み取りを待っています…", en: "Waiting for the device to read it…" }
        ActivationExpired = "activation_expired" {
            ja: "利用開始コードの有効期限が切れました。「コードを出し直す」を押してください。",
            en: r#"The activation code has expired. Press "Issue a new code"."# }
        ReissueButton = "reissue_button" { ja: "コードを出し直す", en: "Issue a new code" }
        SimulateButton = "simulate_button" { ja: "練習用のスマートフォンで読み取る", en: "Scan with the practice phone" }
        TerminalsTitle = "terminals_title" { ja: "登録した端末", en: "Registered terminals" }
        ColumnKind = "column_kind" { ja: "種類", en: "Kind" }
        ColumnStatus = "column_status" { ja: "状態", en: "Status" }
        TerminalsNone = "terminals_none" { ja: "まだありません。", en: "None yet." }
        TerminalKindThisPc = "terminal_kind_this_pc" { ja: "このPC", en: "This PC" }
        TerminalKindMobile = "terminal_kind_mobile" { ja: "スマートフォン・タブレット", en: "Phone or tablet" }
        TerminalStatusAwaitingDevice = "terminal_status_awaiting_device" { ja: "読み取り待ち", en: "Waiting for the device" }
        TerminalStatusPending = "terminal_status_pending" { ja: "確認中", en: "Checking" }
        TerminalStatusLinked = "terminal_status_linked" { ja: "利用開始済み", en: "Linked" }
        UnlinkButton = "unlink_button" { ja: "登録を解除", en: "Unlink" }
        UnlinkConfirm = "unlink_confirm" {
            ja: "「{name}」の登録を解除します。この端末ではマイナ資格確認アプリが使えなくなります。よろしいですか？",
            en: r#"Unlink "{name}"? The マイナ資格確認アプリ on it will stop working."# }
        TerminalLinked = "terminal_linked" { ja: "「{name}」を利用開始しました。", en: r#""{name}" is linked."# }
        CardTestTitle = "card_test_title" { ja: "カードの読み取りテスト", en: "Card-reading test" }
        CardTestIntro = "card_test_intro" {
            ja: "このPCにつないだカードリーダーに**マイナンバーカード**を置いてから押してください。暗証番号は使わず、カードの中身も読みません。",
            en: "Place a **My Number Card** on the card reader connected to this PC, then press the button. No PIN is used and nothing on the card is read." }
        CardTestButton = "card_test_button" { ja: "読み取りテストをする", en: "Test reading" }
        FinishButton = "finish_button" { ja: "ステップ3を終える", en: "Finish Step 3" }

        // ---- 完了 ----
        FinishedTitle = "finished_title" { ja: "ステップ3が完了しました", en: "Step 3 is complete" }
        FinishedIntro = "finished_intro" {
            ja: "下の**完了報告書**を印刷するか、ファイルに保存して保管してください。パスワードは書かれていません。",
            en: "Print the **completion report** below or save it as a file and keep it. It contains no password." }
        PrintButton = "print_button" { ja: "完了報告書を印刷する", en: "Print the completion report" }
        SaveReportButton = "save_report_button" { ja: "ファイルに保存する", en: "Save as a file" }
        ReportSaved = "report_saved" { ja: "完了報告書を保存しました：{path}", en: "The completion report was saved: {path}" }
        StuckTitle = "stuck_title" { ja: "困ったときは", en: "If you are stuck" }
        StuckText = "stuck_text" {
            ja: "介護情報基盤ポータルサイトに載っている**ヘルプデスク**へご連絡ください。下の「サポート用ファイルを作る」で作ったファイルを送ると、状況をすばやく確認できます（パスワードや個人情報は含まれません）。",
            en: r#"Contact the **help desk** listed on the 介護情報基盤 portal site. Sending the file made with "Make a support file" below lets them see what happened quickly (it holds no password or personal data)."# }
        RestartButton = "restart_button" { ja: "最初からやり直す（練習用）", en: "Start over (practice)" }

        // ---- 設定, mailbox, footer ----
        SettingsTitle = "settings_title" { ja: "設定", en: "Settings" }
        LanguageLegend = "language_legend" { ja: "表示言語", en: "Language" }
        LanguageJapanese = "language_japanese" { ja: "日本語", en: "日本語" }
        LanguageEnglish = "language_english" { ja: "English", en: "English" }
        ModePracticeChoice = "mode_practice_choice" {
            ja: "練習モード（本番のサービスには接続しません）",
            en: "Practice mode (does not connect to the real service)" }
        ModeRemoteChoice = "mode_remote_choice" { ja: "本番のサービスに接続する", en: "Connect to the real service" }
        ServiceUrlLabel = "service_url_label" { ja: "接続先のアドレス", en: "Service address" }
        SaveButton = "save_button" { ja: "保存する", en: "Save" }
        BackButton = "back_button" { ja: "戻る", en: "Back" }
        MailboxTitle = "mailbox_title" { ja: "練習用メールボックス", en: "Practice mailbox" }
        MailboxIntro = "mailbox_intro" {
            ja: "練習モードで送られるはずのメールとSMSがここに届きます。",
            en: "Mail and SMS the practice mode would send arrive here." }
        MailboxRefresh = "mailbox_refresh" { ja: "更新", en: "Refresh" }
        MailboxMail = "mailbox_mail" { ja: "メール", en: "Mail" }
        SupportButton = "support_button" { ja: "サポート用ファイルを作る", en: "Make a support file" }
        SupportSaved = "support_saved" { ja: "サポート用ファイルを保存しました：{path}", en: "The support file was saved: {path}" }
    }
    composed {
        // ---- notices on resuming ----
        NoticeOfficeLoginAgain = "notice_office_login_again" {
            ja: "前回の続きから始めます。もう一度、事業所ユーザでログインしてください。",
            en: "Carrying on where you left off. Log in again as the office user." }
        NoticeAdminLoginAgain = "notice_admin_login_again" {
            ja: "前回の続きから始めます。もう一度、管理者ユーザでログインしてください。",
            en: "Carrying on where you left off. Log in again as the admin user." }

        // ---- pre-flight results ----
        CheckServiceConnected = "check_service_connected" { ja: "介護WEBサービスに接続できました。", en: "Connected to the 介護WEBサービス." }
        CheckClockRight = "check_clock_right" { ja: "PCの時計は正確です。", en: "The PC's clock is right." }
        CheckClockOff = "check_clock_off" {
            ja: "PCの時計が約{minutes}分ずれています。Windowsの「日付と時刻」で「時刻を自動的に設定する」をオンにしてください。",
            en: r#"The PC's clock is about {minutes} minutes off. Turn on "Set time automatically" in Windows' Date & time settings."# }
        CheckClockWrong = "check_clock_wrong" {
            ja: "PCの時計が約{minutes}分ずれています。このままではワンタイム認証コードが使えません。「日付と時刻」で時刻を合わせてから、もう一度チェックしてください。",
            en: "The PC's clock is about {minutes} minutes off, so one-time codes will not work. Set the time in Date & time settings, then check again." }
        CheckCertificateValid = "check_certificate_valid" {
            ja: "証明書「{label}」は{days}日後まで使えます。",
            en: r#"The certificate "{label}" is valid for {days} more days."# }
        CheckCertificateExpiresSoon = "check_certificate_expires_soon" {
            ja: "証明書「{label}」の有効期限まであと{days}日です。早めに更新してください。",
            en: r#"The certificate "{label}" expires in {days} days. Renew it soon."# }
        CheckKeychainWorks = "check_keychain_works" {
            ja: "パスワードの安全な保管場所（キーチェーン）を使えます。",
            en: "The safe place for passwords (the keychain) works." }
        CheckCardReaderFound = "check_card_reader_found" { ja: "カードリーダーが見つかりました（{readers}）。", en: "Card reader found ({readers})." }
        CheckCardReaderMissing = "check_card_reader_missing" {
            ja: "カードリーダーが見つかりません。マイナンバーカードを読み取るPCでは、カードリーダーをつないでください（このまま手続きは続けられます）。",
            en: "No card reader found. Connect one to the PC that will read My Number Cards (you can go on without it for now)." }

        // ---- 登録内容の確認 ----
        ReviewName = "review_name" { ja: "氏名", en: "Name" }
        ReviewEmail = "review_email" { ja: "メールアドレス", en: "Mail address" }
        ReviewPhone = "review_phone" { ja: "電話番号", en: "Phone number" }
        ReviewServiceTypes = "review_service_types" { ja: "サービス種類", en: "Service types" }
        ReviewJobCategory = "review_job_category" { ja: "職種区分", en: "Job category" }
        ReviewUserId = "review_user_id" { ja: "ユーザID", en: "User ID" }
        ReviewSentTo = "review_sent_to" { ja: "初期パスワードの送り先", en: "Initial password sent to" }

        // ---- カードの読み取りテスト ----
        CardMyNumberCard = "card_my_number_card" {
            ja: "マイナンバーカードを読み取れました。このカードリーダーは使えます（暗証番号は使わず、カードの中身は読んでいません）。",
            en: "The My Number Card was read. This card reader works (no PIN used, nothing read from the card)." }
        CardNotMyNumberCard = "card_not_my_number_card" {
            ja: "カードは見つかりましたが、マイナンバーカードではないようです。健康保険証や他のICカードではなく、マイナンバーカードを置いてください。",
            en: "A card was found, but it does not seem to be a My Number Card. Place the My Number Card." }
        CardNoCard = "card_no_card" {
            ja: "カードリーダーにカードがありません。マイナンバーカードを、読み取り面を下にしてカードリーダーに置いてから、もう一度お試しください。",
            en: "There is no card on the reader. Place the My Number Card on it and try again." }
        CardNoReader = "card_no_reader" {
            ja: "カードリーダーが見つかりません。USBケーブルがPCにつながっているか確かめてください。つないだばかりなら少し待ってからお試しください。",
            en: "No card reader was found. Check that its USB cable is connected to this PC." }
        CardUnreadable = "card_unreadable" {
            ja: "カードをうまく読み取れませんでした。読み取りが終わるまでカードを動かさず、置き直してからもう一度お試しください。",
            en: "The card could not be read. Keep it still until the test ends and try again." }

        // ---- what to do after a refusal ----
        AdviceOfficeTriesLeft = "advice_office_tries_left" {
            ja: "あと{tries_left}回まちがえると、{office_lock}ログインできなくなります。Caps Lock（大文字固定）がオフか、全角になっていないかを確かめてから入力してください。",
            en: "{tries_left} more wrong tries and the login is locked for {office_lock}. Check that Caps Lock is off and that you are not typing full-width characters." }
        AdviceOfficeLastTry = "advice_office_last_try" {
            ja: "あと1回まちがえると、{office_lock}ログインできなくなります。Caps Lock（大文字固定）がオフか、全角になっていないかを確かめてから入力してください。",
            en: "1 more wrong try and the login is locked for {office_lock}. Check that Caps Lock is off and that you are not typing full-width characters." }
        AdviceOfficeLockedUntil = "advice_office_locked_until" {
            ja: "{until}まで待ってから、もう一度ログインしてください。待つ間に、「KJ」から始まるユーザIDと、電子請求受付システムで使っているパスワードを確かめてください。仮のパスワードや期限切れのパスワードは、先に電子請求受付システムで変更が必要です。",
            en: "Wait until {until} (Japan time), then log in again. Meanwhile check the user ID starting with KJ and the password you use in the electronic-billing system; a temporary or expired password must first be changed there." }
        TimeOfDay = "time_of_day" { ja: "{hour}時{minute}分", en: "{hour}:{minute}" }
        RetryInSeconds = "retry_in_seconds" { ja: "（約{seconds}秒後にお試しください）", en: "(try again in about {seconds} seconds)" }
        RetryInMinutes = "retry_in_minutes" { ja: "（約{minutes}分後にお試しください）", en: "(try again in about {minutes} minutes)" }
    }
}
