//! 研修 (a class): one trainer rehearses Step 3 with a room of offices, each
//! on its own PC, against a rehearsal service. The rules here: the join code
//! staff type, the pin that tells the app it reached the trainer's service,
//! who gets which seat, which keys a seat's certificate may have, and how a
//! seat's progress reads on the trainer's page.

use crate::error::ErrorCode;
use crate::login::FailureRecord;
use crate::policy::Policy;
use crate::refusal::Refusal;
use time::{Duration, OffsetDateTime};

/// The symbols of join codes and short fingerprints: Crockford's base32,
/// without the letters read as digits (I, L, O) or as each other (U).
const SYMBOLS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A symbol for what staff typed: lower case is upper case, and the letters
/// that look like digits are those digits.
fn symbol_of(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    SYMBOLS.iter().position(|s| char::from(*s) == c).and_then(|i| u8::try_from(i).ok())
}

/// What staff typed, as symbols, or `None` if anything but symbols,
/// spaces and hyphens is in it. Full-width input is read as half-width.
fn symbols(input: &str) -> Option<Vec<u8>> {
    crate::normalize::half_width(input).chars().filter(|c| !matches!(c, '-' | ' ')).map(symbol_of).collect()
}

fn spell(values: &[u8]) -> String {
    values.iter().map(|v| char::from(SYMBOLS[usize::from(*v & 31)])).collect()
}

/// Groups of five bits of `bytes`, most significant first.
fn five_bit_groups(bytes: &[u8], groups: usize) -> Vec<u8> {
    (0..groups)
        .map(|g| {
            let bit = g * 5;
            let two = (u16::from(bytes.get(bit / 8).copied().unwrap_or(0)) << 8) | u16::from(bytes.get(bit / 8 + 1).copied().unwrap_or(0));
            ((two >> (11 - bit % 8)) & 31) as u8
        })
        .collect()
}

/// 参加コード: the short code the trainer shows on the projector. Eight
/// symbols (40 bits) from the service's random source; with the tries a
/// PC is allowed ([`ClassPolicy`]) a guess is hopeless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCode(String);

impl JoinCode {
    pub const LEN: usize = 8;

    /// The code for five random bytes.
    pub fn from_random(bytes: [u8; 5]) -> JoinCode {
        JoinCode(spell(&five_bit_groups(&bytes, Self::LEN)))
    }

    /// What staff typed (any case, hyphens, spaces, full-width).
    pub fn parse(input: &str) -> Result<JoinCode, ErrorCode> {
        match symbols(input) {
            Some(s) if s.len() == Self::LEN => Ok(JoinCode(spell(&s))),
            _ => Err(ErrorCode::JoinCodeFormat),
        }
    }

    /// As stored and compared: eight symbols, no hyphen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown: `ABCD-EFGH`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// How the app knows it reached the trainer's service: the SHA-256 of the
/// class's CA certificate, whole (in the join link) or its first 50 bits
/// (typed from the projector).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaPin {
    Full([u8; 32]),
    Short(String),
}

impl CaPin {
    pub const SHORT_LEN: usize = 10;

    /// The short form of a fingerprint, as shown: `ABCDE-FGHJK`.
    pub fn short_of(sha256: &[u8; 32]) -> String {
        let s = spell(&five_bit_groups(sha256, Self::SHORT_LEN));
        format!("{}-{}", &s[..5], &s[5..])
    }

    /// The pin in a join link (64 hex digits) or typed by hand (10 symbols).
    pub fn parse(input: &str) -> Result<CaPin, ErrorCode> {
        let trimmed = input.trim();
        if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut full = [0u8; 32];
            for (i, byte) in full.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&trimmed[i * 2..i * 2 + 2], 16).map_err(|_| ErrorCode::ClassPinFormat)?;
            }
            return Ok(CaPin::Full(full));
        }
        match symbols(trimmed) {
            Some(s) if s.len() == Self::SHORT_LEN => Ok(CaPin::Short(spell(&s))),
            _ => Err(ErrorCode::ClassPinFormat),
        }
    }

    /// Whether a CA certificate with this SHA-256 is the one pinned.
    pub fn matches(&self, sha256: &[u8; 32]) -> bool {
        match self {
            CaPin::Full(full) => full == sha256,
            CaPin::Short(short) => *short == spell(&five_bit_groups(sha256, Self::SHORT_LEN)),
        }
    }
}

/// Wrong join codes, counted two ways: by the PC that sent them (its key)
/// and by the address they came from. Behind one NAT — an online class
/// from one building — an address is a whole room: one PC mistyping locks
/// out that PC, not the room, while guessing with new keys still meets the
/// address's limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrongJoins {
    pub pc: FailureRecord,
    pub address: FailureRecord,
}

/// The limits of joining a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassPolicy {
    /// Wrong join codes one PC may send within `wrong_join_window`.
    pub wrong_joins_allowed: u32,
    /// Wrong join codes one address (a room behind NAT) may send within
    /// the window: far more, and still far too few to guess a code of
    /// 2^40 (a million years at this pace).
    pub wrong_joins_per_address: u32,
    pub wrong_join_window: Duration,
    /// Seats one class may have.
    pub max_seats: u32,
    /// The longest a class may run before it is deleted.
    pub max_length: Duration,
}

impl Default for ClassPolicy {
    fn default() -> Self {
        Self {
            wrong_joins_allowed: 10,
            wrong_joins_per_address: 200,
            wrong_join_window: Duration::minutes(10),
            max_seats: crate::policy::CLASS_MAX_SEATS,
            max_length: crate::policy::CLASS_MAX_LENGTH,
        }
    }
}

impl ClassPolicy {
    /// How long a count keeps its sender out, if it does.
    fn locked_for(&self, wrong: FailureRecord, allowed: u32, now: OffsetDateTime) -> Option<Duration> {
        match wrong.last {
            Some(last) if wrong.count >= allowed && now < last.saturating_add(self.wrong_join_window) => {
                Some(last.saturating_add(self.wrong_join_window) - now)
            }
            _ => None,
        }
    }

    /// Whether a PC may try a join code now, given the wrong ones of that
    /// PC and of its address.
    pub fn join_gate(&self, wrong: WrongJoins, now: OffsetDateTime) -> Result<(), Refusal> {
        let pc = self.locked_for(wrong.pc, self.wrong_joins_allowed, now);
        let address = self.locked_for(wrong.address, self.wrong_joins_per_address, now);
        match pc.max(address) {
            Some(wait) => Err(Refusal::wait(ErrorCode::JoinTriesExhausted, wait)),
            None => Ok(()),
        }
    }

    /// A count after one more wrong join code: a count whose window has
    /// passed starts again.
    pub fn wrong_joins_after(&self, wrong: FailureRecord, now: OffsetDateTime) -> u32 {
        match wrong.last {
            Some(last) if now < last.saturating_add(self.wrong_join_window) => wrong.count.saturating_add(1),
            _ => 1,
        }
    }

    /// The refusal for a wrong join code, with the PC's and the address's
    /// counts in the window: the tries left are the fewer of the two; the
    /// wrong code that leaves none keeps the PC out for the window, said
    /// with its wait (not as "no tries left" with no end).
    pub fn wrong_join(&self, pc_count: u32, address_count: u32) -> Refusal {
        let left = self.wrong_joins_allowed.saturating_sub(pc_count).min(self.wrong_joins_per_address.saturating_sub(address_count));
        if left == 0 {
            return Refusal::wait(ErrorCode::JoinTriesExhausted, self.wrong_join_window);
        }
        Refusal::new(ErrorCode::JoinCodeWrong).with_tries_left(left)
    }

    /// A class's seats and end, as the operator asks for them.
    pub fn check_class(&self, seats: u32, ends_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), ErrorCode> {
        if seats == 0 || seats > self.max_seats {
            return Err(ErrorCode::ClassSeatsInvalid);
        }
        if ends_at <= now || ends_at > now.saturating_add(self.max_length) {
            return Err(ErrorCode::ClassEndInvalid);
        }
        Ok(())
    }
}

/// How long after a class opened the grid says that no PC has reached it:
/// by then a room that can reach it has joined at least one seat.
pub const NOBODY_REACHED_AFTER: Duration = Duration::minutes(3);

/// Whether the trainer is told that no attendee's PC has reached the class
/// (the firewall, the network profile, a guest Wi-Fi that keeps devices
/// apart, a VPN: what to check is the page's).
pub fn nobody_has_reached(opened_at: OffsetDateTime, now: OffsetDateTime, seats_joined: usize) -> bool {
    seats_joined == 0 && now - opened_at >= NOBODY_REACHED_AFTER
}

/// A class as joining sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassState {
    pub ends_at: OffsetDateTime,
    pub closed: bool,
}

impl ClassState {
    pub fn open(&self, now: OffsetDateTime) -> bool {
        !self.closed && now < self.ends_at
    }
}

/// Which seat a join gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatChoice {
    /// This PC's key holds the seat already: the same seat again.
    Again(u32),
    /// The first free seat.
    Take(u32),
}

/// Decides a join: a closed class takes no one, a PC that joined before
/// keeps its seat, anyone else gets a free one while there is one.
pub fn choose_seat(
    class: ClassState, now: OffsetDateTime, seat_of_key: Option<u32>, first_free: Option<u32>,
) -> Result<SeatChoice, ErrorCode> {
    if !class.open(now) {
        return Err(ErrorCode::ClassClosed);
    }
    match (seat_of_key, first_free) {
        (Some(seat), _) => Ok(SeatChoice::Again(seat)),
        (None, Some(seat)) => Ok(SeatChoice::Take(seat)),
        (None, None) => Err(ErrorCode::ClassFull),
    }
}

/// The key of a certificate request, as far as its strength goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKey {
    Rsa {
        bits: u32,
    },
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    /// Any other algorithm or curve.
    Other,
}

/// Keys a seat's certificate may carry: what the real service's
/// certificates use (RSA of 2048 bits or more) and the curves rustls signs with.
pub fn request_key_acceptable(key: RequestKey) -> Result<(), ErrorCode> {
    match key {
        RequestKey::Rsa { bits } if (2048..=8192).contains(&bits) => Ok(()),
        RequestKey::EcdsaP256 | RequestKey::EcdsaP384 | RequestKey::Ed25519 => Ok(()),
        RequestKey::Rsa { .. } | RequestKey::Other => Err(ErrorCode::CertificateRequestKeyWeak),
    }
}

/// The columns of the trainer's grid: Step 3's parts, then 完了.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassStep {
    /// Not joined yet (未参加).
    NotJoined,
    /// 3-1 事業所ユーザでログイン.
    OfficeLogin,
    /// 3-2 管理者ユーザの登録.
    AdminRegistration,
    /// 3-3 管理者ユーザでログイン・パスワード変更.
    AdminLogin,
    /// 3-4 資格確認端末の事前設定.
    Terminal,
    /// 完了.
    Finished,
}

impl ClassStep {
    /// The grid's columns, in order.
    pub const COLUMNS: [ClassStep; 5] =
        [ClassStep::OfficeLogin, ClassStep::AdminRegistration, ClassStep::AdminLogin, ClassStep::Terminal, ClassStep::Finished];
}

/// A code a seat was sent and has not entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCode {
    pub expires_at: OffsetDateTime,
}

/// What the service knows of a seat's office, loaded for the trainer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeatFacts {
    pub joined: bool,
    /// A 3-1 login has succeeded (an office session was opened).
    pub office_signed_in: bool,
    pub office_code: Option<PendingCode>,
    pub office_failures: FailureRecord,
    pub admin_registered: bool,
    pub admin_code: Option<PendingCode>,
    pub admin_failures: FailureRecord,
    pub admin_password_changed: bool,
    pub terminal_linked: bool,
    /// The last thing the seat did, or was refused.
    pub last_activity: Option<OffsetDateTime>,
}

/// How a seat is doing within its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatCondition {
    NotJoined,
    Working,
    /// コード入力待ち.
    WaitingForCode,
    /// コード期限切れ.
    CodeExpired,
    /// ロック中 (until the instant, or until someone unlocks it).
    Locked(Option<OffsetDateTime>),
    Finished,
}

impl SeatCondition {
    /// Whether the trainer should look: the seat cannot go on alone soon.
    pub fn needs_help(self) -> bool {
        matches!(self, SeatCondition::CodeExpired | SeatCondition::Locked(_))
    }
}

/// A seat's place on the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeatProgress {
    pub step: ClassStep,
    pub condition: SeatCondition,
    /// How long since the seat last did anything (while not finished).
    pub idle_for: Option<Duration>,
}

fn code_condition(code: Option<PendingCode>, now: OffsetDateTime) -> SeatCondition {
    match code {
        Some(c) if now < c.expires_at => SeatCondition::WaitingForCode,
        Some(_) => SeatCondition::CodeExpired,
        None => SeatCondition::Working,
    }
}

fn lock_condition(gate: crate::login::LoginGate) -> Option<SeatCondition> {
    match gate {
        crate::login::LoginGate::Open => None,
        crate::login::LoginGate::WaitUntil(until) => Some(SeatCondition::Locked(Some(until))),
        crate::login::LoginGate::Locked => Some(SeatCondition::Locked(None)),
    }
}

/// Where a seat stands, from what the service knows of it.
pub fn seat_progress(f: &SeatFacts, policy: &Policy, now: OffsetDateTime) -> SeatProgress {
    let (step, condition) = if !f.joined {
        (ClassStep::NotJoined, SeatCondition::NotJoined)
    } else if f.terminal_linked {
        (ClassStep::Finished, SeatCondition::Finished)
    } else if f.admin_password_changed {
        (ClassStep::Terminal, SeatCondition::Working)
    } else if f.admin_registered {
        let gate = policy.user_gate(f.admin_failures.count, f.admin_failures.last, now);
        (ClassStep::AdminLogin, lock_condition(gate).unwrap_or_else(|| code_condition(f.admin_code, now)))
    } else if f.office_signed_in {
        (ClassStep::AdminRegistration, SeatCondition::Working)
    } else {
        let gate = policy.office_gate(f.office_failures.count, f.office_failures.last, now);
        (ClassStep::OfficeLogin, lock_condition(gate).unwrap_or_else(|| code_condition(f.office_code, now)))
    };
    let idle_for = match condition {
        SeatCondition::Finished | SeatCondition::NotJoined => None,
        _ => f.last_activity.map(|at| (now - at).max(Duration::ZERO)),
    };
    SeatProgress { step, condition, idle_for }
}

/// 架空の管理者: the made-up name and contacts a seat's 3-2 offers, so that
/// no one types real personal data into a rehearsal. Each seat's differ
/// (a room shares one mailbox view on the projector). The mail domain is
/// one JPRS keeps for examples; nothing is ever sent from a class anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MadeUpAdmin {
    /// 氏名.
    pub name: String,
    pub email: String,
    /// A mobile number of the right shape (SMS stays in the practice mailbox).
    pub phone: String,
    /// 管理者ユーザID.
    pub user_id: String,
}

/// The made-up admin of seat `seat`.
pub fn made_up_admin(seat: u32) -> MadeUpAdmin {
    let seat = seat % 10_000;
    MadeUpAdmin {
        name: format!("研修 花子{seat}"),
        email: format!("kenshu{seat:03}@example.jp"),
        phone: format!("090-0000-{seat:04}"),
        user_id: format!("kenshu{seat:03}"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_trainer_hears_that_no_pc_reached_the_class_only_after_a_while_and_only_while_none_has() {
        let opened = datetime!(2026-12-07 10:00 UTC);
        assert!(!nobody_has_reached(opened, opened + Duration::seconds(179), 0));
        assert!(nobody_has_reached(opened, opened + NOBODY_REACHED_AFTER, 0));
        assert!(!nobody_has_reached(opened, opened + Duration::hours(1), 1));
    }

    use super::*;

    #[test]
    fn a_seats_made_up_admin_passes_every_check_of_3_2_and_differs_from_the_next_seat() {
        for seat in [1, 12, 500, 9999] {
            let a = made_up_admin(seat);
            crate::names::PersonName::parse(&a.name).unwrap();
            crate::contact::EmailAddress::parse(&a.email).unwrap();
            assert!(crate::contact::PhoneNumber::parse(&a.phone).unwrap().is_mobile(), "{}", a.phone);
            crate::ids::UserId::parse(&a.user_id).unwrap();
            assert_ne!(made_up_admin(seat + 1), a);
        }
    }
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-05 05:00 UTC);

    #[test]
    fn a_join_code_reads_however_it_is_typed_and_shows_in_two_halves() {
        let code = JoinCode::from_random([0xff, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(code.as_str().len(), JoinCode::LEN);
        let shown = code.display();
        assert_eq!(shown.len(), 9);
        assert_eq!(JoinCode::parse(&shown).unwrap(), code);
        assert_eq!(JoinCode::parse(&shown.to_lowercase()).unwrap(), code);
        assert_eq!(JoinCode::parse(" 7ZZ0 ").unwrap_err(), ErrorCode::JoinCodeFormat);
        assert_eq!(JoinCode::parse("ABCD-EFGU").unwrap_err(), ErrorCode::JoinCodeFormat, "U is no symbol");
        // O and I typed for 0 and 1; full-width too.
        assert_eq!(JoinCode::parse("OIAB-CD23").unwrap(), JoinCode::parse("01AB-CD23").unwrap());
        assert_eq!(JoinCode::parse("０１ＡＢ－ＣＤ２３").unwrap(), JoinCode::parse("01AB-CD23").unwrap());
    }

    #[test]
    fn join_codes_use_all_forty_bits() {
        assert_eq!(JoinCode::from_random([0; 5]).as_str(), "00000000");
        assert_eq!(JoinCode::from_random([0xff; 5]).as_str(), "ZZZZZZZZ");
        assert_eq!(JoinCode::from_random([0, 0, 0, 0, 1]).as_str(), "00000001");
        assert_eq!(JoinCode::from_random([0x80, 0, 0, 0, 0]).as_str(), "G0000000");
    }

    #[test]
    fn a_pin_matches_its_own_fingerprint_whole_or_short_and_no_other() {
        let fp = [7u8; 32];
        let mut other = fp;
        other[31] ^= 1;
        let full = CaPin::parse(&"07".repeat(32)).unwrap();
        assert!(full.matches(&fp) && !full.matches(&other));
        let short = CaPin::parse(&CaPin::short_of(&fp)).unwrap();
        assert!(short.matches(&fp));
        let mut early = fp;
        early[0] ^= 0x80;
        assert!(!short.matches(&early), "the short pin covers the first bits");
        assert_eq!(CaPin::parse("12345").unwrap_err(), ErrorCode::ClassPinFormat);
        assert_eq!(CaPin::parse(&"zz".repeat(32)).unwrap_err(), ErrorCode::ClassPinFormat);
    }

    #[test]
    fn wrong_join_codes_lock_a_pc_out_for_the_window_then_count_again() {
        let p = ClassPolicy::default();
        let mut wrong = WrongJoins::default();
        for n in 1..=p.wrong_joins_allowed {
            assert!(p.join_gate(wrong, NOW).is_ok());
            let (pc, address) = (p.wrong_joins_after(wrong.pc, NOW), p.wrong_joins_after(wrong.address, NOW));
            assert_eq!((pc, address), (n, n));
            let refused = p.wrong_join(pc, address);
            if n < p.wrong_joins_allowed {
                assert_eq!((refused.code, refused.tries_left), (ErrorCode::JoinCodeWrong, Some(p.wrong_joins_allowed - n)));
            } else {
                // The last wrong code: kept out, for the window, said so.
                assert_eq!((refused.code, refused.retry_after), (ErrorCode::JoinTriesExhausted, Some(p.wrong_join_window)));
            }
            wrong =
                WrongJoins { pc: FailureRecord { count: pc, last: Some(NOW) }, address: FailureRecord { count: address, last: Some(NOW) } };
        }
        let refused = p.join_gate(wrong, NOW + Duration::minutes(1)).unwrap_err();
        assert_eq!(refused.code, ErrorCode::JoinTriesExhausted);
        assert_eq!(refused.retry_after, Some(Duration::minutes(9)));
        let later = NOW + p.wrong_join_window;
        assert!(p.join_gate(wrong, later).is_ok());
        assert_eq!(p.wrong_joins_after(wrong.pc, later), 1);
    }

    #[test]
    fn one_pc_mistyping_does_not_lock_out_the_room_behind_its_address() {
        let p = ClassPolicy::default();
        let room = FailureRecord { count: p.wrong_joins_allowed, last: Some(NOW) };
        // Another PC of the room: its own count is clean.
        assert!(p.join_gate(WrongJoins { pc: FailureRecord::default(), address: room }, NOW).is_ok());
        // Guessing with a new key each time still meets the address's limit.
        let guessed = FailureRecord { count: p.wrong_joins_per_address, last: Some(NOW) };
        let refused = p.join_gate(WrongJoins { pc: FailureRecord::default(), address: guessed }, NOW).unwrap_err();
        assert_eq!(refused.code, ErrorCode::JoinTriesExhausted);
        assert_eq!(p.wrong_join(1, p.wrong_joins_per_address - 3).tries_left, Some(3), "the fewer tries left are said");
    }

    #[test]
    fn a_class_needs_seats_and_an_end_in_reach() {
        let p = ClassPolicy::default();
        assert!(p.check_class(30, NOW + Duration::hours(3), NOW).is_ok());
        assert_eq!(p.check_class(0, NOW + Duration::hours(3), NOW), Err(ErrorCode::ClassSeatsInvalid));
        assert_eq!(p.check_class(p.max_seats + 1, NOW + Duration::hours(3), NOW), Err(ErrorCode::ClassSeatsInvalid));
        assert_eq!(p.check_class(30, NOW, NOW), Err(ErrorCode::ClassEndInvalid));
        assert_eq!(p.check_class(30, NOW + Duration::days(8), NOW), Err(ErrorCode::ClassEndInvalid));
    }

    #[test]
    fn a_pc_keeps_its_seat_others_take_free_ones_and_a_closed_or_full_class_takes_no_one() {
        let open = ClassState { ends_at: NOW + Duration::hours(1), closed: false };
        assert_eq!(choose_seat(open, NOW, Some(4), Some(9)), Ok(SeatChoice::Again(4)));
        assert_eq!(choose_seat(open, NOW, Some(4), None), Ok(SeatChoice::Again(4)));
        assert_eq!(choose_seat(open, NOW, None, Some(9)), Ok(SeatChoice::Take(9)));
        assert_eq!(choose_seat(open, NOW, None, None), Err(ErrorCode::ClassFull));
        assert_eq!(choose_seat(ClassState { closed: true, ..open }, NOW, Some(4), Some(9)), Err(ErrorCode::ClassClosed));
        assert_eq!(choose_seat(open, NOW + Duration::hours(1), None, Some(9)), Err(ErrorCode::ClassClosed));
    }

    #[test]
    fn weak_or_unknown_keys_are_refused() {
        assert!(request_key_acceptable(RequestKey::Rsa { bits: 2048 }).is_ok());
        assert!(request_key_acceptable(RequestKey::EcdsaP256).is_ok());
        assert!(request_key_acceptable(RequestKey::Ed25519).is_ok());
        assert_eq!(request_key_acceptable(RequestKey::Rsa { bits: 1024 }), Err(ErrorCode::CertificateRequestKeyWeak));
        assert_eq!(request_key_acceptable(RequestKey::Other), Err(ErrorCode::CertificateRequestKeyWeak));
    }

    #[test]
    fn a_seat_reads_as_its_step_and_what_holds_it_up() {
        let p = Policy::default();
        let mut f = SeatFacts::default();
        assert_eq!(seat_progress(&f, &p, NOW).step, ClassStep::NotJoined);
        f.joined = true;
        f.last_activity = Some(NOW - Duration::minutes(4));
        let s = seat_progress(&f, &p, NOW);
        assert_eq!((s.step, s.condition, s.idle_for), (ClassStep::OfficeLogin, SeatCondition::Working, Some(Duration::minutes(4))));
        f.office_code = Some(PendingCode { expires_at: NOW + Duration::minutes(5) });
        assert_eq!(seat_progress(&f, &p, NOW).condition, SeatCondition::WaitingForCode);
        assert_eq!(seat_progress(&f, &p, NOW + Duration::minutes(5)).condition, SeatCondition::CodeExpired);
        f.office_failures = FailureRecord { count: p.office_max_failures, last: Some(NOW) };
        let locked = seat_progress(&f, &p, NOW).condition;
        assert_eq!(locked, SeatCondition::Locked(Some(NOW + p.office_lock_duration)));
        assert!(locked.needs_help());
        f.office_signed_in = true;
        assert_eq!(seat_progress(&f, &p, NOW).step, ClassStep::AdminRegistration);
        f.admin_registered = true;
        f.admin_code = Some(PendingCode { expires_at: NOW + Duration::minutes(1) });
        assert_eq!(seat_progress(&f, &p, NOW).condition, SeatCondition::WaitingForCode);
        f.admin_failures = FailureRecord { count: p.user_max_failures, last: Some(NOW) };
        assert_eq!(seat_progress(&f, &p, NOW).condition, SeatCondition::Locked(None));
        f.admin_password_changed = true;
        assert_eq!(seat_progress(&f, &p, NOW).step, ClassStep::Terminal);
        f.terminal_linked = true;
        let done = seat_progress(&f, &p, NOW);
        assert_eq!((done.step, done.condition, done.idle_for), (ClassStep::Finished, SeatCondition::Finished, None));
    }
}
