//! Every failure the onboarding can report, each with a stable code and a
//! message template in Japanese (for office staff) and English (for
//! operators); `messages` writes the policy's numbers into the templates.
//!
//! The same enum crosses the HTTP boundary (`{code, message}` error bodies)
//! and the app's IPC boundary, so the UI never matches on message text.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    (
        api { $( $(#[$ameta:meta])* $avariant:ident = $acode:literal { ja: $aja:literal, en: $aen:literal } )+ }
        desktop { $( $(#[$dmeta:meta])* $dvariant:ident = $dcode:literal { ja: $dja:literal, en: $den:literal } )+ }
    ) => {
        /// A stable, machine-readable error code (snake_case on the wire):
        /// the API's codes and the desktop app's own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$ameta])* #[serde(rename = $acode)] $avariant, )+
            $( $(#[$dmeta])* #[serde(rename = $dcode)] $dvariant, )+
            /// A code this build does not know (sent by a newer peer).
            #[serde(other, rename = "unknown")]
            Unknown,
        }

        /// A code the service answers with: what openapi.json documents.
        /// The service's answers are typed by it, so a desktop code cannot
        /// leave the service as an answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = ErrorCode)]
        pub enum ApiErrorCode {
            $( $(#[$ameta])* #[serde(rename = $acode)] $avariant, )+
        }

        impl ErrorCode {
            /// Every known code, for documentation and exhaustive tests.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$avariant, )+ $( ErrorCode::$dvariant, )+ ];

            /// The desktop app's own codes, which the service never sends.
            pub const DESKTOP_ONLY: &'static [ErrorCode] = &[ $( ErrorCode::$dvariant, )+ ];

            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$avariant => $acode, )+ $( ErrorCode::$dvariant => $dcode, )+ ErrorCode::Unknown => "unknown" }
            }

            /// The code as the API's, or `None` for the desktop's own (and
            /// for a code this build does not know).
            pub fn api(self) -> Option<ApiErrorCode> {
                match self { $( ErrorCode::$avariant => Some(ApiErrorCode::$avariant), )+ _ => None }
            }

            /// The Japanese message, its numbers still named (`{office_lock}`).
            pub fn template_ja(self) -> &'static str {
                match self { $( ErrorCode::$avariant => $aja, )+ $( ErrorCode::$dvariant => $dja, )+
                    ErrorCode::Unknown => "予期しないエラーが発生しました。時間をおいてもう一度お試しください。解決しない場合はサポート窓口へご連絡ください。" }
            }

            pub fn template_en(self) -> &'static str {
                match self { $( ErrorCode::$avariant => $aen, )+ $( ErrorCode::$dvariant => $den, )+
                    ErrorCode::Unknown => "An unexpected error occurred. Try again later or contact support." }
            }
        }

        impl ApiErrorCode {
            /// Every code of the API, as openapi.json lists them.
            pub const ALL: &'static [ApiErrorCode] = &[ $( ApiErrorCode::$avariant, )+ ];

            pub fn as_str(self) -> &'static str {
                ErrorCode::from(self).as_str()
            }
        }

        impl From<ApiErrorCode> for ErrorCode {
            fn from(code: ApiErrorCode) -> ErrorCode {
                match code { $( ApiErrorCode::$avariant => ErrorCode::$avariant, )+ }
            }
        }
    };
}

error_codes! {
    // The codes the service answers with: they, and only they, are the API's
    // (`ApiErrorCode`, openapi.json).
    api {
        // ---- input format (checked before anything is sent) ----
        /// 電子請求受付システムのユーザID (KJ + 10 or 12 characters).
        ElectronicBillingIdInvalid = "electronic_billing_id_invalid" {
            ja: "ユーザIDは「KJ」で始まる{kj_short}桁または{kj_long}桁の半角英数字で入力してください。例：KJ1234567890、KJ123456789012",
            en: "The electronic-billing user ID is {kj_short} or {kj_long} half-width alphanumerics starting with KJ (e.g. KJ1234567890, KJ123456789012)." }
        UserIdInvalid = "user_id_invalid" {
            ja: "ユーザIDは{user_id_min}文字以上{user_id_max}文字以内の半角英数字で入力してください。",
            en: "The user ID must be {user_id_min} to {user_id_max} half-width alphanumerics." }
        PasswordMissing = "password_missing" {
            ja: "パスワードを入力してください。",
            en: "Enter the password." }
        PasswordTooShort = "password_too_short" {
            ja: "パスワードは{password_min}文字以上にしてください。",
            en: "The password must be at least {password_min} characters long." }
        PasswordTooLong = "password_too_long" {
            ja: "パスワードは{password_max}文字以内にしてください。",
            en: "The password must be at most {password_max} characters long." }
        PasswordInvalidCharacters = "password_invalid_characters" {
            ja: "パスワードには半角の英字・数字・記号だけを使ってください（全角文字や空白は使えません）。",
            en: "The password may contain only half-width letters, digits and symbols." }
        PasswordTooFewKinds = "password_too_few_kinds" {
            ja: "パスワードは英大文字・英小文字・数字・記号のうち{password_kinds}種類以上を組み合わせてください。",
            en: "The password must use at least {password_kinds} of: upper-case, lower-case, digits, symbols." }
        PasswordTooCommon = "password_too_common" {
            ja: "このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください。",
            en: "This password is too common and easy to guess. Choose another one." }
        PasswordContainsUserId = "password_contains_user_id" {
            ja: "パスワードにユーザIDを含めることはできません。",
            en: "The password must not contain the user ID." }
        PasswordUnchanged = "password_unchanged" {
            ja: "新しいパスワードは今のパスワードと違うものにしてください。",
            en: "The new password must differ from the current one." }
        EmailInvalid = "email_invalid" {
            ja: "メールアドレスの形式が正しくありません（例：kaigo@example.jp）。",
            en: "The e-mail address is not valid (e.g. kaigo@example.jp)." }
        PhoneInvalid = "phone_invalid" {
            ja: "電話番号は0から始まる10桁または11桁の数字で入力してください（ハイフンは省略できます）。",
            en: "The phone number must be a Japanese number of 10 or 11 digits starting with 0." }
        ContactMissing = "contact_missing" {
            ja: "連絡先として、メールアドレスか電話番号のどちらかを入力してください。",
            en: "Give an e-mail address or a phone number as the contact." }
        NameInvalid = "name_invalid" {
            ja: "氏名を1文字以上{name_max}文字以内で入力してください。",
            en: "Enter a name of 1 to {name_max} characters." }
        ServiceTypesMissing = "service_types_missing" {
            ja: "従事するサービス種類を1つ以上選んでください。",
            en: "Choose at least one service type." }
        ServiceTypeUnknown = "service_type_unknown" {
            ja: "サービス種類は一覧から選んでください。",
            en: "Choose the service type from the list." }
        ServiceTypePast = "service_type_past" {
            ja: "このサービス種類は総合事業に移ったため、いまは選べません（介護予防訪問介護・介護予防通所介護など）。事業所で行っているサービスを選び直してください。",
            en: "This service type has moved into the comprehensive program (総合事業) and can no longer be chosen." }
        JobCategoryUnknown = "job_category_unknown" {
            ja: "職種区分は一覧から選んでください。",
            en: "Choose the job category from the list." }
        OneTimeCodeFormat = "one_time_code_format" {
            ja: "ワンタイム認証コードは{code_digits}桁の数字で入力してください。",
            en: "The one-time code is {code_digits} digits." }
        SecurityCodeFormat = "security_code_format" {
            ja: "セキュリティコードは半角英数字で入力してください。",
            en: "The security code consists of half-width alphanumerics." }
        TerminalNameInvalid = "terminal_name_invalid" {
            ja: "端末名を1文字以上{terminal_name_max}文字以内で入力してください（例：受付PC1）。",
            en: "Enter a terminal name of 1 to {terminal_name_max} characters." }
        TerminalKeyInvalid = "terminal_key_invalid" {
            ja: "端末の鍵の形式が正しくありません。アプリを最新版にしてやり直してください。",
            en: "The terminal public key is not a valid Ed25519 key." }
        ActivationCodeInvalid = "activation_code_invalid" {
            ja: "利用開始コードは{activation_code_len}文字の英数字です（例：ABCD-EFGH-JKLM）。画面に表示されたとおりに入力してください。",
            en: "The activation code is {activation_code_len} letters and digits (e.g. ABCD-EFGH-JKLM)." }
        TerminalKindInvalid = "terminal_kind_invalid" {
            ja: "端末の種類を「このPC」か「スマートフォン・タブレット」から選んでください。",
            en: "Choose the terminal kind: this_pc or mobile." }
        InvalidRequest = "invalid_request" {
            ja: "送信された内容を読み取れませんでした。アプリを最新版にしてやり直してください。",
            en: "The request body could not be read." }

        // ---- transport and certificates ----
        ClientCertificateRequired = "client_certificate_required" {
            ja: "クライアント証明書が選ばれていません。事業所の電子請求用の証明書を選んでください。",
            en: "A client certificate is required." }
        /// Revoked by the operator (a lost or stolen PC) or listed in the CRL
        /// the service reads: refused in the handshake or at every call.
        ClientCertificateRevoked = "client_certificate_revoked" {
            ja: "この証明書は失効しています。パソコンの紛失などで、使えないようにされた証明書です。新しい証明書の発行を申し込み、届いた証明書を選び直してください。",
            en: "The client certificate has been revoked (after a lost or stolen PC, for example). Apply for a new certificate and choose it." }
        CertificateOfficeMismatch = "certificate_office_mismatch" {
            ja: "選んだクライアント証明書はこの事業所のものではありません。入力したユーザIDの事業所の証明書を選んでください。",
            en: "The client certificate does not belong to this office." }

        // ---- authentication ----
        InvalidCredentials = "invalid_credentials" {
            ja: "ユーザIDまたはパスワードが違います。入力内容を確かめてもう一度お試しください。",
            en: "The user ID or password is incorrect." }
        OfficeLocked = "office_locked" {
            ja: "ログインに{office_max_failures}回続けて失敗したため、{office_lock}ログインできません。時間をおいてからお試しください。",
            en: "The office account is locked for {office_lock} after {office_max_failures} failed logins." }
        UserLocked = "user_locked" {
            ja: "ログインの失敗が続いたため、このユーザはロックされています。事業所ユーザでログインしてロックを解除するか、サポート窓口へご連絡ください。",
            en: "This user is locked after too many failed logins." }
        LoginThrottled = "login_throttled" {
            ja: "ログインの失敗が続いています。しばらく待ってからもう一度お試しください。",
            en: "Too many failed logins: wait before trying again." }
        ChallengeNotFound = "challenge_not_found" {
            ja: "ログインの手続きが見つかりません。最初からログインし直してください。",
            en: "The login challenge does not exist or has ended." }
        DeliveryChannelUnavailable = "delivery_channel_unavailable" {
            ja: "選んだ送信方法は使えません（SMSには携帯電話番号の登録が必要です）。もう一方の方法を選んでください。",
            en: "The chosen delivery channel is not available for this user." }
        CodeNotSent = "code_not_sent" {
            ja: "まだワンタイム認証コードを送っていません。送信方法を選んでください。",
            en: "No one-time code has been sent for this login yet." }
        CodeIncorrect = "code_incorrect" {
            ja: "ワンタイム認証コードが違います。届いたメール（またはSMS）の{code_digits}桁の数字を確かめて入力してください。",
            en: "The one-time code is incorrect." }
        CodeExpired = "code_expired" {
            ja: "ワンタイム認証コードの有効期限（{code_lifetime}）が切れました。「コードを再送する」を押して新しいコードを受け取ってください。",
            en: "The one-time code has expired ({code_lifetime}). Request a new one." }
        CodeAttemptsExhausted = "code_attempts_exhausted" {
            ja: "ワンタイム認証コードの入力に{code_max_attempts}回失敗しました。「コードを再送する」を押して新しいコードを受け取ってください。",
            en: "{code_max_attempts} wrong codes: request a new one." }
        CodeResendTooSoon = "code_resend_too_soon" {
            ja: "コードを送ったばかりです。{code_resend_interval}ほど待ってから再送してください。",
            en: "A code was just sent: wait {code_resend_interval} before asking again." }
        SecurityCodeRequired = "security_code_required" {
            ja: "この事業所はセキュリティコードを設定しています。セキュリティコードも入力してください。",
            en: "This office has a security code: enter it too." }
        SecurityCodeIncorrect = "security_code_incorrect" {
            ja: "セキュリティコードが違います。",
            en: "The security code is incorrect." }
        InitialPasswordExpired = "initial_password_expired" {
            ja: "初期パスワードの有効期限（{initial_password_lifetime}）が切れました。事業所ユーザでログインし、初期パスワードを再発行してください。",
            en: "The initial password has expired ({initial_password_lifetime} unused): an office user must reissue it." }
        Unauthenticated = "unauthenticated" {
            ja: "ログインの有効期限が切れました。もう一度ログインしてください。",
            en: "Not logged in, or the session has expired." }
        PasswordChangeRequired = "password_change_required" {
            ja: "初期パスワードでログインしています。先に新しいパスワードを設定してください。",
            en: "Change the initial password first." }

        // ---- registration ----
        UserIdTaken = "user_id_taken" {
            ja: "このユーザIDはすでに使われています。別のユーザIDを決めてください。",
            en: "This user ID is already taken." }
        IdempotencyKeyInvalid = "idempotency_key_invalid" {
            ja: "登録要求の識別子が正しくありません。アプリを最新版にしてやり直してください。",
            en: "The Idempotency-Key header must be 8 to 64 characters [A-Za-z0-9_-]." }
        IdempotencyKeyReused = "idempotency_key_reused" {
            ja: "同じ登録要求の識別子が別の内容で使われました。入力内容を確かめて、もう一度登録してください。",
            en: "This Idempotency-Key was already used with a different request." }

        // ---- terminal pre-setup ----
        TerminalNotFound = "terminal_not_found" {
            ja: "この端末は登録されていません。端末の事前設定をやり直してください。",
            en: "No such terminal." }
        TerminalSignatureInvalid = "terminal_signature_invalid" {
            ja: "端末の確認に失敗しました。端末の事前設定をやり直してください。",
            en: "The terminal's signature does not verify." }
        TerminalChallengeExpired = "terminal_challenge_expired" {
            ja: "端末の確認の有効期限が切れました。端末の事前設定をやり直してください。",
            en: "The terminal challenge has expired or was used." }
        ActivationCodeIncorrect = "activation_code_incorrect" {
            ja: "利用開始コードが違います。管理者の画面に表示されているコードを確かめて入力してください。{activation_max_attempts}回まちがえるとコードは使えなくなります。",
            en: "The activation code is wrong. After {activation_max_attempts} wrong entries the code is void." }
        ActivationCodeExpired = "activation_code_expired" {
            ja: "利用開始コードの有効期限（{activation_lifetime}）が切れたか、まちがいが多すぎて使えなくなりました。管理者の画面で「コードを出し直す」を押してください。",
            en: "The activation code has expired or was entered wrongly too often; issue a new one." }
        ActivationCodeUsed = "activation_code_used" {
            ja: "この利用開始コードはすでに使われています。別の端末で使う場合は、管理者の画面で新しく端末を登録してください。",
            en: "This activation code has already been redeemed." }
        TerminalAlreadyLinked = "terminal_already_linked" {
            ja: "この端末はすでに利用開始しています。",
            en: "The terminal is already linked." }
        TerminalNameTaken = "terminal_name_taken" {
            ja: "同じ名前の端末がすでに登録されています。別の端末名にしてください。",
            en: "A terminal with this name is already registered." }

        // ---- 研修 (a class rehearsing together) ----
        JoinCodeFormat = "join_code_format" {
            ja: "参加コードは、講師が画面に表示している英数字8文字を入力してください（例：7KQM-4XPR）。",
            en: "The join code is the 8 letters and digits the trainer shows (e.g. 7KQM-4XPR)." }
        JoinCodeWrong = "join_code_wrong" {
            ja: "参加コードが違います。講師の画面の参加コードをもう一度確かめて入力してください。",
            en: "The join code is wrong. Check the code the trainer shows." }
        JoinTriesExhausted = "join_tries_exhausted" {
            ja: "参加コードを続けて間違えたため、このPCからは今は参加できません。講師に声をかけてください。",
            en: "Too many wrong join codes from this PC: it cannot join for now. Ask the trainer." }
        ClassFull = "class_full" {
            ja: "この研修は満席です。講師に声をかけてください。",
            en: "The class is full." }
        ClassClosed = "class_closed" {
            ja: "この研修はすでに終了しています。講師に声をかけてください。",
            en: "The class has ended or been closed." }
        ClassesNotOffered = "classes_not_offered" {
            ja: "この接続先では研修を開いていません。講師が表示している接続先を確かめてください。",
            en: "This service runs no classes." }
        CertificateRequestInvalid = "certificate_request_invalid" {
            ja: "このPCで作った証明書の申請が正しくありませんでした。アプリを最新版にしてから、もう一度参加してください。",
            en: "The certificate signing request is malformed or its signature does not verify." }
        CertificateRequestKeyWeak = "certificate_request_key_weak" {
            ja: "このPCで作った鍵が弱すぎるため、証明書を発行できません。アプリを最新版にしてから、もう一度参加してください。",
            en: "The certificate signing request's key is too weak (RSA of 2048 bits or more, ECDSA P-256/P-384 or Ed25519)." }
        TrainerSignInRequired = "trainer_sign_in_required" {
            ja: "講師用の画面を開くには、研修を開いたときに表示された講師用リンクを開いてください。",
            en: "Open the trainer's link printed when the class was opened." }
        CsrfTokenInvalid = "csrf_token_invalid" {
            ja: "画面が古くなっています。講師用の画面を開き直してから、もう一度操作してください。",
            en: "The form's token is missing or wrong: reload the trainer's page." }

        // ---- service ----
        RateLimited = "rate_limited" {
            ja: "短い時間に操作が集中しています。少し待ってからもう一度お試しください。",
            en: "Too many requests: slow down." }
        MethodNotAllowed = "method_not_allowed" {
            ja: "この操作はできません。アプリを最新版にしてください。",
            en: "This method is not allowed on this path." }
        PayloadTooLarge = "payload_too_large" {
            ja: "送る内容が大きすぎます。入力内容を確かめてください。",
            en: "The request body is too large." }
        RequestTimeout = "request_timeout" {
            ja: "通信に時間がかかりすぎました。もう一度お試しください。",
            en: "The request took too long and was abandoned." }
        NotFound = "not_found" {
            ja: "お探しの項目は見つかりませんでした。",
            en: "Not found." }
        PracticeModeOnly = "practice_mode_only" {
            ja: "この機能は練習モードでだけ使えます。",
            en: "Only available in practice mode." }
        ServiceUnavailable = "service_unavailable" {
            ja: "サービスが混み合っているか停止しています。時間をおいてもう一度お試しください。",
            en: "The service is busy or unavailable." }
        Internal = "internal" {
            ja: "サービス側で問題が起きました。時間をおいてもう一度お試しください。解決しない場合はサポート窓口へご連絡ください。",
            en: "Internal error." }
    }
    // The desktop app's own findings (its files, keychain, network, updates,
    // the classes it opens, the checks of its forms), which the service's
    // command line shares: never an answer of the service over HTTP.
    desktop {
        TerminalIdInvalid = "terminal_id_invalid" {
            ja: "端末IDは、カード読み取りアプリに表示されたとおり、半角の英数字と「-」「_」「.」で、{terminal_id_max}文字以内で入力してください。",
            en: "The terminal ID is what the card-reading app shows: half-width letters, digits, '-', '_' and '.', at most {terminal_id_max} characters." }
        ServerCertificateUntrusted = "server_certificate_untrusted" {
            ja: "接続先のサーバーを確認できませんでした。設定の接続先を確かめてください。",
            en: "The server's certificate is not trusted." }
        /// A firewall decrypts HTTPS (TLS inspection): the service's certificate
        /// is the box's, so a client certificate cannot reach the service.
        TlsInspected = "tls_inspected" {
            ja: "ネットワークの機器が暗号化通信を検査しているため、証明書によるログインができません。社内のネットワーク担当の方に「この接続先をHTTPSの検査（SSLインスペクション）の対象から外してください」と伝えてください。",
            en: "A network device inspects (decrypts) HTTPS, so certificate login cannot work: ask IT to exclude the service's host from TLS inspection." }
        ProxyUnreachable = "proxy_unreachable" {
            ja: "プロキシ（社内ネットワークの中継サーバー）に接続できません。設定の「プロキシ」のアドレスとポート番号を確かめてください。",
            en: "The proxy cannot be reached: check its address and port in the settings." }
        ProxyRefused = "proxy_refused" {
            ja: "プロキシ（社内ネットワークの中継サーバー）が接続先への通信を許可しませんでした。社内のネットワーク担当の方に、接続先を許可するよう伝えてください。",
            en: "The proxy refused the connection to the service: ask IT to allow the service's host." }
        ProxyAuthenticationRequired = "proxy_authentication_required" {
            ja: "プロキシ（社内ネットワークの中継サーバー）がユーザ名とパスワードを求めています。設定の「プロキシ」で入力するか、正しいか確かめてください。",
            en: "The proxy asks for a user name and password: enter them in the settings, or check them." }
        ProxyAddressInvalid = "proxy_address_invalid" {
            ja: "プロキシのアドレスは、名前（またはIPアドレス）とポート番号を「:」でつないで入力してください。例：proxy.example.jp:8080",
            en: "Enter the proxy as host:port (e.g. proxy.example.jp:8080)." }
        ServiceUnreachable = "service_unreachable" {
            ja: "介護WEBサービスに接続できません。インターネット接続と設定の接続先を確かめてください。",
            en: "The service cannot be reached." }
        CertificateFileInvalid = "certificate_file_invalid" {
            ja: "証明書ファイルを読み取れませんでした。拡張子が .p12 または .pfx の、事業所の証明書ファイルを選んでください。",
            en: "The certificate file could not be read (expected PKCS#12 or PEM)." }
        CertificateFileMissing = "certificate_file_missing" {
            ja: "証明書ファイルを選んでください（「ファイルを選択」を押します）。",
            en: "Choose the certificate file first." }
        CertificatePasswordIncorrect = "certificate_password_incorrect" {
            ja: "証明書のパスワードが違います。証明書を受け取ったときのパスワードを入力してください。",
            en: "The certificate file's password is incorrect." }
        ClassNetworkUnavailable = "class_network_unavailable" {
            ja: "選んだネットワークでは研修を開けませんでした。PCがそのネットワークにつながっているか確かめて、一覧から選び直してください。",
            en: "The class could not be served on the chosen network: check that this PC is connected to it and choose again." }
        ClassSecretsLost = "class_secrets_lost" {
            ja: "研修の鍵がこのPCのキーチェーンに見つからないため、この研修は続けられません。新しく研修を開いて、受講者にもう一度参加してもらってください。",
            en: "The class's keys are no longer in this PC's keychain, so it cannot go on: open a new class and have the attendees join again." }
        ClassAlreadyOpen = "class_already_open" {
            ja: "このPCでは、もう研修を開いています。今の研修を終えてから、新しい研修を開いてください。",
            en: "This PC already runs a class: end it before opening another." }
        ClassPinFormat = "class_pin_format" {
            ja: "確認コードは、講師が画面に表示している英数字10文字を入力してください（例：AB12C-DE34F）。",
            en: "The check code is the 10 letters and digits the trainer shows." }
        ClassNoAnswer = "class_no_answer" {
            ja: "講師のPCから返事がありません。講師に「ファイアウォールの許可」と「プライベート ネットワーク」を確かめてもらってください。ゲスト用のWi-FiやVPNでは、つながらないことがあります。",
            en: "The trainer's PC does not answer: ask the trainer to check the firewall and that the network is Private. Guest Wi-Fi and VPNs often keep PCs apart." }
        ClassRefused = "class_refused" {
            ja: "接続先のPCに、研修が開いていません。接続先のまちがいか、研修がまだ開いていないかです。講師に接続先を確かめてください。",
            en: "No class is open at that address: the address is wrong, or the class is not open yet. Ask the trainer." }
        ClassAddressNotFound = "class_address_not_found" {
            ja: "接続先の名前が見つかりません。講師の画面の接続先を、もう一度そのまま入力してください。",
            en: "The address's name was not found: type the address from the trainer's screen again." }
        ClassPinMismatch = "class_pin_mismatch" {
            ja: "接続先が、講師の画面に表示された確認コードと一致しません。安全のため接続を中止しました。別のネットワークにつながっているかもしれません。ここで止めて、講師に伝えてください。",
            en: "The service's certificate authority does not match the check code: the connection was refused." }
        ClassLinkInvalid = "class_link_invalid" {
            ja: "この参加用リンクは読み取れません。講師から届いたリンクをもう一度開くか、接続先と参加コードを手で入力してください。",
            en: "The join link is not one this app can read." }
        KeychainUnavailable = "keychain_unavailable" {
            ja: "パスワードを安全に保管する場所（キーチェーン）が使えません。PCにログインし直してから、もう一度お試しください。",
            en: "The OS keychain is not available." }
        CertificateNotChosen = "certificate_not_chosen" {
            ja: "クライアント証明書が選ばれていません。一覧から事業所の証明書を選んでください。",
            en: "No client certificate has been chosen." }
        CertificateNotFound = "certificate_not_found" {
            ja: "選んだ証明書が見つかりません。証明書ファイルをもう一度取り込んでください。",
            en: "The chosen certificate is no longer available." }
        CertificateKeyUnavailable = "certificate_key_unavailable" {
            ja: "この証明書の鍵をパソコンの証明書ストアから使えませんでした。証明書を入れたときのファイル（.p12 または .pfx）とパスワードがあれば、「証明書ファイルを取り込む」から取り込んでください。",
            en: "The certificate's private key could not be used from the platform's certificate store." }
        ServiceUrlInvalid = "service_url_invalid" {
            ja: "接続先のアドレスは https:// で始まるURLで入力してください。",
            en: "The service address must be an https:// URL." }
        /// 設定 →「更新」: where the app asks for new versions.
        UpdateEndpointInvalid = "update_endpoint_invalid" {
            ja: "更新の確認先は https:// で始まるURLで入力してください（空欄にすると、配布元の確認先を使います）。",
            en: "The update address must be an https:// URL (leave it empty for the publisher's own)." }
        UpdateNotConfigured = "update_not_configured" {
            ja: "この版のアプリには更新の確認先が決められていません。いまの版のまま使えます。新しい版は配布元から入手してください。",
            en: "This build has no update address or key: it keeps its version. Get new versions from the publisher." }
        UpdateUnreachable = "update_unreachable" {
            ja: "更新の確認先に接続できませんでした。いまの版のまま使えます。インターネット接続と設定の「プロキシ」を確かめてください。",
            en: "The update server could not be reached; the app keeps working as it is. Check the connection and the proxy setting." }
        UpdateManifestInvalid = "update_manifest_invalid" {
            ja: "更新の案内を読み取れませんでした。いまの版のまま使えます。しばらくしてからもう一度お試しください。",
            en: "The update server's answer could not be read; the app keeps working as it is." }
        UpdateNotForThisPc = "update_not_for_this_pc" {
            ja: "新しい版は、このパソコンの種類には用意されていません。いまの版のまま使えます。",
            en: "The new version is not offered for this kind of PC." }
        /// The downloaded file does not carry the publisher's signature: altered
        /// on the way, or signed by someone else.
        UpdateSignatureInvalid = "update_signature_invalid" {
            ja: "ダウンロードした更新ファイルに配布元の正しい署名がないため、更新を取りやめました。アプリは何も変わっていません。続くときは配布元に連絡してください。",
            en: "The downloaded update does not carry the publisher's valid signature: nothing was installed." }
        /// The signed version is not the version offered (a forged offer, a
        /// downgrade in disguise).
        UpdateVersionMismatch = "update_version_mismatch" {
            ja: "更新ファイルの版が案内と一致しないため、更新を取りやめました。アプリは何も変わっていません。続くときは配布元に連絡してください。",
            en: "The update's signed version differs from the version offered: nothing was installed." }
        /// What the server offers changed between 「確かめる」 and 「いま更新する」.
        UpdateOfferChanged = "update_offer_changed" {
            ja: "更新の案内が変わりました。設定の「アプリの更新」で、もう一度「新しい版があるか確かめる」を押してください。",
            en: "The update on offer changed: check for a new version again in Settings." }
        UpdateWaitsForStep = "update_waits_for_step" {
            ja: "ログイン中のため、いまは更新しません（更新するとログインし直しになります）。次にアプリを起動したときに更新できます。",
            en: "A sign-in is in progress, so the update waits: it is offered again the next time the app starts." }
        UpdateInstallFailed = "update_install_failed" {
            ja: "更新を入れられませんでした。アプリはいまの版のまま使えます。続くときは、配布元から新しい版を入手して入れ直してください。",
            en: "The update could not be installed; the app keeps its version. Install the new version from the publisher instead." }
        NoTerminalLinked = "no_terminal_linked" {
            ja: "資格確認端末がまだ1台も利用開始していません。「このPC」か「スマートフォン・タブレット」を登録してから終えてください。",
            en: "No terminal is linked yet." }
        ActivationLinkInvalid = "activation_link_invalid" {
            ja: "読み取ったQRコードは利用開始用のものではありません。管理者の画面に表示されたQRコードを読み取ってください。",
            en: "The scanned QR code is not an activation link." }
        StepOutOfOrder = "step_out_of_order" {
            ja: "前の手順が終わっていません。画面の案内に沿って、前の手順から進めてください。",
            en: "An earlier step has not been completed." }
        NothingToCopy = "nothing_to_copy" {
            ja: "この値はまだ入れていません。「前もって用意する値」に入れて保存してください。",
            en: "This value is not prepared yet. Enter it under Values prepared beforehand and save." }
        ClipboardUnavailable = "clipboard_unavailable" {
            ja: "コピーできませんでした。この画面の値を見ながら入力してください。",
            en: "The value could not be copied. Type it while reading it here." }
        ClassEndInvalid = "class_end_invalid" {
            ja: "研修の長さは、0時間より長く{class_length_max}以内にしてください。",
            en: "A class lasts more than 0 hours and at most {class_length_max}." }
        ClassNameInvalid = "class_name_invalid" {
            ja: "研修の名前を1文字以上{class_name_max}文字以内で入力してください（例：初期設定の研修）。",
            en: "Enter a class name of 1 to {class_name_max} characters." }
        ClassSeatsInvalid = "class_seats_invalid" {
            ja: "席の数は1から{class_seats_max}までの数にしてください。",
            en: "A class has 1 to {class_seats_max} seats." }
        ClientCertificateExpired = "client_certificate_expired" {
            ja: "クライアント証明書の有効期限が切れています。新しい証明書を取得して選び直してください。",
            en: "The client certificate has expired." }
        ClientCertificateRejected = "client_certificate_rejected" {
            ja: "クライアント証明書が受け付けられませんでした。介護WEBサービス用に発行された正しい証明書を選んでください。",
            en: "The client certificate was rejected (unknown issuer or invalid)." }
        OfficeNumberInvalid = "office_number_invalid" {
            ja: "事業所番号は10桁の半角数字で入力してください。",
            en: "The office number must be 10 half-width digits." }
        PasswordConfirmationMismatch = "password_confirmation_mismatch" {
            ja: "確認のために入力したパスワードが一致しません。同じパスワードを2回入力してください。",
            en: "The two passwords typed differ. Type the same password twice." }
    }
}

#[cfg(test)]
mod tests {
    use super::{ApiErrorCode, ErrorCode};

    #[test]
    fn every_code_round_trips_through_json_by_its_own_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *code);
        }
    }

    #[test]
    fn every_code_is_the_api_s_or_the_desktop_s_and_never_both() {
        for code in ErrorCode::ALL {
            let desktop = ErrorCode::DESKTOP_ONLY.contains(code);
            assert_eq!(code.api().is_none(), desktop, "{code:?}");
            if let Some(api) = code.api() {
                assert_eq!(ErrorCode::from(api), *code);
                assert_eq!(serde_json::to_string(&api).unwrap(), serde_json::to_string(code).unwrap());
            }
        }
        assert_eq!(ErrorCode::ALL.len(), ApiErrorCode::ALL.len() + ErrorCode::DESKTOP_ONLY.len());
        assert_eq!(ErrorCode::Unknown.api(), None);
    }

    #[test]
    fn a_code_from_a_newer_peer_reads_as_unknown() {
        let code: ErrorCode = serde_json::from_str("\"something_new\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }
}
