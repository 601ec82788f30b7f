//! The wizard's decisions, as pure functions of what is known: which screen
//! to open on and what to tell staff, what to do with a kept office
//! password, whether a registration is a retry, how to go on with a
//! terminal. The wizard loads the facts, asks here, then acts.

use crate::catalogue::Text;
use crate::progress::{LinkedTerminal, Progress, Step, TerminalProgress};
use kaigo_api::office::AdminRegistrationRequest;
use kaigo_api::terminal::{ActivationLink, Terminal, TerminalStatus};
use kaigo_domain::ErrorCode;
use serde::Serialize;

macro_rules! screens {
    ($( $(#[$m:meta])* $variant:ident, )+) => {
        /// Every screen and sub-screen of `ui/index.html` (its `screen-…` id).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Screen {
            $( $(#[$m])* $variant, )+
        }

        impl Screen {
            pub const ALL: &'static [Screen] = &[ $( Screen::$variant, )+ ];
        }
    };
}

screens! {
    /// Before the first status arrives (the page shows it by itself).
    Loading,
    Preflight,
    OfficeLogin,
    /// The office's login waits for the mailed code.
    OfficeCode,
    AdminForm,
    /// 「登録内容の確認」: what will be registered, before it is.
    AdminConfirm,
    /// Registered: where the initial password went.
    AdminDone,
    AdminLogin,
    /// The admin's login waits for the code by mail or SMS.
    AdminCode,
    #[serde(rename = "password")]
    PasswordChange,
    Terminal,
    Finished,
    /// 設定, over any screen (the page opens it by itself).
    Settings,
    /// 本番の日, the only screen of its own narrow window.
    RealDay,
}

impl Screen {
    /// The name the page knows it by (`screen-<id>`): its name on the wire.
    pub fn id(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(id)) => id,
            _ => format!("{self:?}"),
        }
    }

    /// The step the progress bar shows with it; `None`: the bar stays as it was.
    pub fn step(self) -> Option<Step> {
        use Screen::*;
        Some(match self {
            Loading | Preflight => Step::Preflight,
            OfficeLogin | OfficeCode => Step::OfficeLogin,
            // The bar stays at 3-2 until the admin logs in.
            AdminForm | AdminConfirm | AdminDone => Step::AdminRegistration,
            AdminLogin | AdminCode | PasswordChange => Step::AdminLogin,
            Terminal => Step::Terminal,
            Finished => Step::Finished,
            Settings | RealDay => return None,
        })
    }
}

/// Something staff should read above the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The office's session ended with the app: log in again to go on.
    OfficeLoginAgain,
    /// The admin's session ended with the app: log in again to go on.
    AdminLoginAgain,
    /// The data folder could not be written: the steps go on in memory.
    ProgressNotSaved,
    /// The keychain failed where it was only a convenience (remember this
    /// PC, keep the office password): the step went on without it.
    KeychainNotUsed,
}

impl Notice {
    pub fn text(self) -> Text {
        match self {
            Notice::OfficeLoginAgain => Text::NoticeOfficeLoginAgain,
            Notice::AdminLoginAgain => Text::NoticeAdminLoginAgain,
            Notice::ProgressNotSaved => Text::NoticeProgressNotSaved,
            Notice::KeychainNotUsed => Text::NoticeKeychainNotUsed,
        }
    }
}

/// Who is logged in during this run of the app (sessions end with it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignedIn {
    pub office: bool,
    pub admin: bool,
    pub must_change_password: bool,
}

/// Where to open: the saved step, unless its session is gone, in which
/// case the login that gives it back, with a notice saying why.
pub fn resume_screen(step: Step, signed_in: SignedIn) -> (Screen, Option<Notice>) {
    match step {
        Step::Preflight => (Screen::Preflight, None),
        Step::OfficeLogin => (Screen::OfficeLogin, None),
        Step::AdminRegistration if signed_in.office => (Screen::AdminForm, None),
        Step::AdminRegistration => (Screen::OfficeLogin, Some(Notice::OfficeLoginAgain)),
        Step::AdminLogin => (Screen::AdminLogin, None),
        Step::PasswordChange | Step::Terminal if signed_in.admin => {
            (if signed_in.must_change_password { Screen::PasswordChange } else { Screen::Terminal }, None)
        }
        Step::PasswordChange | Step::Terminal => (Screen::AdminLogin, Some(Notice::AdminLoginAgain)),
        Step::Finished => (Screen::Finished, None),
    }
}

/// What this run of the app has open between the steps it saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenInThisRun {
    /// The office's login waits for its code.
    pub office_code: bool,
    /// A registration was reviewed and not yet sent.
    pub review: bool,
    /// A registration was just made and its completion not yet seen.
    pub registration_unseen: bool,
    /// The admin's login waits for its code.
    pub admin_code: bool,
}

/// The screen to show now: the one the saved step resumes on, or the
/// sub-screen this run has open within that step.
pub fn current_screen(step: Step, signed_in: SignedIn, open: OpenInThisRun) -> (Screen, Option<Notice>) {
    let resumed = resume_screen(step, signed_in);
    match (resumed.0, open) {
        (Screen::OfficeLogin, OpenInThisRun { office_code: true, .. }) => (Screen::OfficeCode, None),
        (Screen::AdminForm, OpenInThisRun { review: true, .. }) => (Screen::AdminConfirm, None),
        (Screen::AdminLogin, OpenInThisRun { registration_unseen: true, .. }) => (Screen::AdminDone, None),
        (Screen::AdminLogin, OpenInThisRun { admin_code: true, .. }) => (Screen::AdminCode, None),
        _ => resumed,
    }
}

/// The step after the admin is logged in.
pub fn step_after_admin_login(must_change_password: bool) -> Step {
    if must_change_password {
        Step::PasswordChange
    } else {
        Step::Terminal
    }
}

/// Which office password a login uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    Typed,
    /// The one this PC keeps (the field was left empty).
    Kept,
}

/// An empty field means "the kept one", if there is one.
pub fn office_password_source(typed_is_empty: bool, kept_exists: bool) -> Result<PasswordSource, ErrorCode> {
    match (typed_is_empty, kept_exists) {
        (false, _) => Ok(PasswordSource::Typed),
        (true, true) => Ok(PasswordSource::Kept),
        (true, false) => Err(ErrorCode::PasswordMissing),
    }
}

/// What to change in the keychain after an office login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptPasswordPlan {
    /// Keep the password used, for this office.
    pub keep: bool,
    /// Forget this office's kept password.
    pub forget: bool,
    /// Forget another office's kept password (a PC serves one office).
    pub forget_other: Option<String>,
}

/// `refused` is the service's refusal, if any. A kept password is kept only
/// when staff ask and it worked; a kept one that stopped working is of no use.
pub fn kept_password_plan(
    refused: Option<ErrorCode>, source: PasswordSource, remember: bool, office: &str, kept_for: Option<&str>,
) -> KeptPasswordPlan {
    match refused {
        Some(ErrorCode::InvalidCredentials) if source == PasswordSource::Kept => KeptPasswordPlan { forget: true, ..Default::default() },
        Some(_) => KeptPasswordPlan::default(),
        None if remember => {
            KeptPasswordPlan { keep: true, forget: false, forget_other: kept_for.filter(|k| *k != office).map(str::to_owned) }
        }
        None => KeptPasswordPlan { forget: true, ..Default::default() },
    }
}

/// The idempotency key to send: the pending one if this is the same
/// request again (a retry after a crash or a lost answer), else a new one.
pub fn registration_key(pending: Option<&(String, AdminRegistrationRequest)>, request: &AdminRegistrationRequest) -> Option<String> {
    pending.filter(|(_, earlier)| earlier == request).map(|(key, _)| key.clone())
}

/// How 3-4 goes on from the saved progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalPlan {
    /// Make a key pair and register the terminal.
    Register,
    /// Registered but not proven: ask a new challenge, sign it with the kept key.
    Prove { terminal_id: String, key_name: String },
    /// Already linked: nothing to send.
    Done,
}

pub fn terminal_plan(terminal: Option<&TerminalProgress>) -> TerminalPlan {
    match terminal {
        None => TerminalPlan::Register,
        Some(t) if t.linked => TerminalPlan::Done,
        Some(t) => TerminalPlan::Prove { terminal_id: t.terminal_id.clone(), key_name: t.key_name.clone() },
    }
}

/// The linked ones among the office's terminals: what the completion report names.
pub fn linked_terminals(terminals: &[Terminal]) -> Vec<LinkedTerminal> {
    terminals
        .iter()
        .filter(|t| t.status == TerminalStatus::Linked)
        .map(|t| LinkedTerminal { terminal_id: t.terminal_id.clone(), name: t.name.clone(), kind: t.kind })
        .collect()
}

/// 「ステップ3を終える」 needs at least one linked terminal.
pub fn finishable(terminals: &[Terminal]) -> Result<(), ErrorCode> {
    if terminals.iter().any(|t| t.status == TerminalStatus::Linked) {
        Ok(())
    } else {
        Err(ErrorCode::NoTerminalLinked)
    }
}

/// A scanned QR code, read as an activation link of the service in use
/// (`service_url`): anything else is not one to redeem here.
pub fn activation_link_for(scanned: &str, service_url: &str) -> Result<ActivationLink, ErrorCode> {
    match ActivationLink::parse(scanned) {
        Some(link) if link.service_url.trim_end_matches('/') == service_url.trim_end_matches('/') => Ok(link),
        _ => Err(ErrorCode::ActivationLinkInvalid),
    }
}

/// Starting over keeps only the chosen certificate.
pub fn restarted(progress: &Progress) -> Progress {
    Progress { certificate_id: progress.certificate_id.clone(), ..Progress::default() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use kaigo_api::terminal::TerminalSettings;

    const NONE: SignedIn = SignedIn { office: false, admin: false, must_change_password: false };

    #[test]
    fn each_step_resumes_on_its_screen_or_on_the_login_that_gives_it_back() {
        let office = SignedIn { office: true, ..NONE };
        let admin = SignedIn { admin: true, ..NONE };
        let admin_must_change = SignedIn { admin: true, must_change_password: true, ..NONE };
        let cases = [
            (Step::Preflight, NONE, Screen::Preflight, None),
            (Step::OfficeLogin, NONE, Screen::OfficeLogin, None),
            (Step::AdminRegistration, office, Screen::AdminForm, None),
            (Step::AdminRegistration, NONE, Screen::OfficeLogin, Some(Notice::OfficeLoginAgain)),
            (Step::AdminLogin, NONE, Screen::AdminLogin, None),
            (Step::PasswordChange, admin_must_change, Screen::PasswordChange, None),
            (Step::PasswordChange, NONE, Screen::AdminLogin, Some(Notice::AdminLoginAgain)),
            (Step::Terminal, admin, Screen::Terminal, None),
            (Step::Terminal, office, Screen::AdminLogin, Some(Notice::AdminLoginAgain)),
            (Step::Finished, NONE, Screen::Finished, None),
        ];
        for (step, who, screen, notice) in cases {
            assert_eq!(resume_screen(step, who), (screen, notice), "{step:?} {who:?}");
        }
        assert_eq!(serde_json::to_value(Screen::PasswordChange).unwrap(), "password");
        assert_eq!(serde_json::to_value(Screen::AdminForm).unwrap(), "admin-form");
    }

    #[test]
    fn an_empty_password_field_uses_the_kept_one_only_if_there_is_one() {
        assert_eq!(office_password_source(false, true), Ok(PasswordSource::Typed));
        assert_eq!(office_password_source(true, true), Ok(PasswordSource::Kept));
        assert_eq!(office_password_source(true, false), Err(ErrorCode::PasswordMissing));
    }

    #[test]
    fn kept_passwords_follow_what_staff_ask_and_what_worked() {
        use PasswordSource::*;
        let plan = |refused, source, remember, kept_for| kept_password_plan(refused, source, remember, "KJ0000000001", kept_for);
        // Worked and asked to remember: kept; another office's is forgotten.
        assert_eq!(
            plan(None, Typed, true, Some("KJ0000000002")),
            KeptPasswordPlan { keep: true, forget: false, forget_other: Some("KJ0000000002".into()) }
        );
        assert_eq!(plan(None, Kept, true, Some("KJ0000000001")), KeptPasswordPlan { keep: true, ..Default::default() });
        // Worked, box unticked: forgotten.
        assert_eq!(plan(None, Typed, false, Some("KJ0000000001")), KeptPasswordPlan { forget: true, ..Default::default() });
        // A kept password refused as wrong: forgotten; a typed one: nothing changes.
        assert_eq!(
            plan(Some(ErrorCode::InvalidCredentials), Kept, true, Some("KJ0000000001")),
            KeptPasswordPlan { forget: true, ..Default::default() }
        );
        assert_eq!(plan(Some(ErrorCode::InvalidCredentials), Typed, true, None), KeptPasswordPlan::default());
        // Any other refusal (locked, unreachable) changes nothing.
        assert_eq!(plan(Some(ErrorCode::OfficeLocked), Kept, false, Some("KJ0000000001")), KeptPasswordPlan::default());
        assert_eq!(plan(Some(ErrorCode::ServiceUnreachable), Typed, false, None), KeptPasswordPlan::default());
    }

    fn request(user_id: &str) -> AdminRegistrationRequest {
        let form = serde_json::json!({"name": "介護 花子", "email": "hanako@example.jp", "service_types": ["11"], "job_category": "01", "user_id": user_id});
        serde_json::from_value(form).unwrap()
    }

    #[test]
    fn the_same_request_again_reuses_its_key_and_a_changed_one_does_not() {
        let pending = ("key-1234567890".to_owned(), request("kaigo01"));
        assert_eq!(registration_key(Some(&pending), &request("kaigo01")).as_deref(), Some("key-1234567890"));
        assert_eq!(registration_key(Some(&pending), &request("kaigo02")), None);
        assert_eq!(registration_key(None, &request("kaigo01")), None);
    }

    #[test]
    fn a_terminal_is_registered_once_proven_once_and_then_left_alone() {
        let mut t = TerminalProgress {
            terminal_id: "t1".into(),
            name: "受付PC1".into(),
            linked: false,
            settings: TerminalSettings {
                terminal_id: "t1".into(),
                office_number: "1234567890".into(),
                office_name: "ケアセンター".into(),
                service_url: "https://x".into(),
                sync_interval_seconds: 3600,
            },
            key_name: "terminal-key:ab".into(),
        };
        assert_eq!(terminal_plan(None), TerminalPlan::Register);
        assert_eq!(terminal_plan(Some(&t)), TerminalPlan::Prove { terminal_id: "t1".into(), key_name: "terminal-key:ab".into() });
        t.linked = true;
        assert_eq!(terminal_plan(Some(&t)), TerminalPlan::Done);
    }

    #[test]
    fn after_login_the_password_change_comes_first_when_required() {
        assert_eq!(step_after_admin_login(true), Step::PasswordChange);
        assert_eq!(step_after_admin_login(false), Step::Terminal);
    }

    #[test]
    fn starting_over_keeps_only_the_certificate() {
        let p = Progress { step: Step::Terminal, certificate_id: Some("abc".into()), ..Progress::default() };
        assert_eq!(restarted(&p), Progress { certificate_id: Some("abc".into()), ..Progress::default() });
    }

    #[test]
    fn a_sub_screen_open_in_this_run_is_shown_within_its_step() {
        let office = SignedIn { office: true, ..NONE };
        let open = |f: fn(&mut OpenInThisRun)| {
            let mut o = OpenInThisRun::default();
            f(&mut o);
            o
        };
        assert_eq!(current_screen(Step::OfficeLogin, NONE, open(|o| o.office_code = true)), (Screen::OfficeCode, None));
        assert_eq!(current_screen(Step::AdminRegistration, office, open(|o| o.review = true)), (Screen::AdminConfirm, None));
        // A review of a session that ended is no use: log in again.
        assert_eq!(
            current_screen(Step::AdminRegistration, NONE, open(|o| o.review = true)),
            (Screen::OfficeLogin, Some(Notice::OfficeLoginAgain))
        );
        assert_eq!(current_screen(Step::AdminLogin, NONE, open(|o| o.registration_unseen = true)), (Screen::AdminDone, None));
        assert_eq!(current_screen(Step::AdminLogin, NONE, open(|o| o.admin_code = true)), (Screen::AdminCode, None));
        assert_eq!(
            current_screen(Step::Terminal, SignedIn { admin: true, ..NONE }, open(|o| o.admin_code = true)),
            (Screen::Terminal, None)
        );
        assert_eq!(current_screen(Step::Preflight, NONE, OpenInThisRun::default()), (Screen::Preflight, None));
    }

    #[test]
    fn every_screen_has_its_page_id_and_the_steps_screens_show_their_step() {
        assert_eq!(Screen::ALL.len(), 14);
        let ids: std::collections::BTreeSet<String> = Screen::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids.len(), Screen::ALL.len());
        assert!(ids.contains("admin-done") && ids.contains("password") && ids.contains("office-code"), "{ids:?}");
        assert_eq!(Screen::AdminDone.step(), Some(Step::AdminRegistration), "the bar stays at 3-2 until the admin logs in");
        assert_eq!(Screen::Settings.step(), None);
        assert_eq!((Screen::RealDay.id().as_str(), Screen::RealDay.step()), ("real-day", None), "本番の日 is outside the wizard's steps");
    }

    fn terminal(name: &str, status: TerminalStatus) -> Terminal {
        let settings = TerminalSettings {
            terminal_id: name.into(),
            office_number: "1234567890".into(),
            office_name: "ケアセンター".into(),
            service_url: "https://x".into(),
            sync_interval_seconds: 300,
        };
        Terminal {
            terminal_id: name.into(),
            name: name.into(),
            kind: kaigo_domain::terminal::TerminalKind::Mobile,
            status,
            settings,
            registered_at: time::OffsetDateTime::UNIX_EPOCH,
            linked_at: None,
        }
    }

    #[test]
    fn step_3_finishes_with_a_linked_terminal_and_the_report_names_the_linked_ones() {
        let list =
            [terminal("a", TerminalStatus::AwaitingDevice), terminal("b", TerminalStatus::Linked), terminal("c", TerminalStatus::Pending)];
        assert_eq!(linked_terminals(&list).iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(finishable(&list), Ok(()));
        assert_eq!(finishable(&list[..1]), Err(ErrorCode::NoTerminalLinked));
        assert_eq!(finishable(&[]), Err(ErrorCode::NoTerminalLinked));
    }

    #[test]
    fn only_a_link_of_the_service_in_use_is_redeemed() {
        let link = ActivationLink { service_url: "https://127.0.0.1:8443".into(), terminal_id: "t1".into(), code: "ABCD-EFGH-JKLM".into() }
            .to_uri();
        assert_eq!(activation_link_for(&link, "https://127.0.0.1:8443/").map(|l| l.terminal_id), Ok("t1".to_owned()));
        assert_eq!(activation_link_for(&link, "https://other.example").err(), Some(ErrorCode::ActivationLinkInvalid));
        assert_eq!(
            activation_link_for("https://example.com/not-a-link", "https://example.com").err(),
            Some(ErrorCode::ActivationLinkInvalid)
        );
    }
}
