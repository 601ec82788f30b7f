//! The rules that depend on time and counts — login lockouts and delays,
//! the one-time-code step, sessions and remembered PCs, terminal activation,
//! certificate validity — under any policy an operator or peer could give
//! and any instant the calendar holds. Besides "no panic":
//! every answer agrees with the rule's wording, a wait that is told is
//! long enough (in the whole seconds the service tells it), and what a
//! refusal announces is what the next try meets.
#![no_main]

use arbitrary::Arbitrary;
use kaigo_domain::certificate::{certificate_status, CertificateStatus, CERTIFICATE_WARNING_DAYS};
use kaigo_domain::challenge::{login_challenge_expiry, wrong_code, LoginChallenge, PendingCode};
use kaigo_domain::login::{failure_count_restarts, failures_after_wrong, initial_password_usable, password_gate, wrong_password};
use kaigo_domain::session::{device_trust_expiry, session_expiry, DeviceTrustRecord, SessionRecord, SESSION_TOUCH_INTERVAL};
use kaigo_domain::terminal::{terminal_activation_expiry, terminal_challenge_expiry, wrong_activation_code, Activation, TerminalLink};
use kaigo_domain::LoginGate;
use kaigo_domain::{Account, ErrorCode, FailureRecord, Policy, Refusal};
use kaigo_fuzz::{told_wait, ArbCount, ArbPolicy, ArbTime};
use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};

#[derive(Debug, Arbitrary)]
struct Input {
    policy: ArbPolicy,
    now: ArbTime,
    office: bool,
    count: ArbCount,
    last: Option<ArbTime>,
    must_change: bool,
    issued: Option<ArbTime>,
    owned: bool,
    completed: bool,
    revoked: bool,
    t1: ArbTime,
    t2: ArbTime,
    code: Option<(ArbTime, ArbTime, ArbCount)>,
    link: u8,
}

fuzz_target!(|input: Input| {
    let p = &input.policy.0;
    let now = input.now.0;
    let account = if input.office { Account::Office } else { Account::User };
    let failures = FailureRecord { count: input.count.0, last: input.last.map(|t| t.0) };
    login(p, now, account, failures);
    initial_password(p, now, input.must_change, input.issued.map(|t| t.0));
    let code = input.code.map(|(sent, exp, tries)| PendingCode { sent_at: sent.0, expires_at: exp.0, wrong_tries: tries.0 });
    challenge(p, now, LoginChallenge { owned_by_caller: input.owned, completed: input.completed, expires_at: input.t1.0, code });
    sessions(p, now, &input);
    terminals(p, now, &input);
    certificates(input.t1.0, input.t2.0, now);
});

/// A refusal's wait is at least a second, and whole seconds.
fn check_wait(r: &Refusal) {
    if let Some(d) = r.retry_after {
        assert!(d >= Duration::SECOND, "{r:?}: a wait under a second");
        assert_eq!(d.subsec_nanoseconds(), 0, "{r:?}: not whole seconds");
    }
}

/// A span rounded up to whole seconds, at least one.
fn whole_up(d: Duration) -> Duration {
    Duration::seconds(d.whole_seconds().saturating_add(i64::from(d.subsec_nanoseconds() > 0)).max(1))
}

fn later(now: OffsetDateTime, d: Duration) -> Option<OffsetDateTime> {
    now.checked_add(d)
}

fn login(p: &Policy, now: OffsetDateTime, account: Account, failures: FailureRecord) {
    let gate = password_gate(account, failures, p, now);
    if let Err(r) = &gate {
        check_wait(r);
        // Waiting as long as the service says (whole seconds) opens the gate.
        if let Some(d) = r.retry_after {
            if let Some(then) = later(now, told_wait(d)) {
                assert_eq!(password_gate(account, failures, p, then), Ok(()), "{r:?} at {now}, retried after {}", told_wait(d));
            }
        }
    }
    // A wrong try adds one to the count, or starts it afresh after a lock.
    let after = failures_after_wrong(account, failures, p, now);
    if failure_count_restarts(account, failures, p, now) {
        assert_eq!(after, 1);
    } else {
        assert_eq!(after, failures.count.saturating_add(1));
    }
    match account {
        Account::Office => {
            if failures.count < p.office_max_failures || failures.last.is_none() {
                assert_eq!(gate, Ok(()));
            }
            if let Err(r) = gate {
                assert_eq!((r.code, r.tries_left), (ErrorCode::OfficeLocked, None));
                let at = failures.last.expect("a lock has a last failure");
                if now >= at {
                    assert!(r.retry_after.is_some_and(|d| d <= whole_up(p.office_lock_duration)), "{r:?} longer than the lock");
                }
            }
            let gate_open = p.office_gate(failures.count, failures.last, now) == LoginGate::Open;
            assert_eq!(gate_open, gate.is_ok());
            assert_eq!(failure_count_restarts(account, failures, p, now), failures.count >= p.office_max_failures && gate_open);
            assert_eq!(p.office_lock_expired(failures.count, failures.last, now), failures.count >= p.office_max_failures && gate_open);
            if let LoginGate::WaitUntil(until) = p.office_gate(failures.count, failures.last, now) {
                assert!(until > now);
            }
        }
        Account::User => {
            assert!(!failure_count_restarts(account, failures, p, now), "a user's count never starts afresh");
            if failures.count >= p.user_max_failures {
                assert_eq!(gate, Err(Refusal::new(ErrorCode::UserLocked)));
            } else if failures.count < p.user_free_failures || failures.last.is_none() {
                assert_eq!(gate, Ok(()));
            } else if let Err(r) = gate {
                assert_eq!((r.code, r.tries_left), (ErrorCode::LoginThrottled, None));
                let at = failures.last.expect("a delay has a last failure");
                let longest = whole_up(Duration::seconds(1 << 20).min(p.user_max_delay));
                if now >= at {
                    assert!(r.retry_after.is_some_and(|d| d <= longest), "{r:?} longer than {longest}");
                }
            }
            if let LoginGate::WaitUntil(until) = p.user_gate(failures.count, failures.last, now) {
                assert!(until > now);
            }
        }
    }

    // The answer to a wrong password, once counted, and what the next try meets.
    let count = failures.count;
    let answer = wrong_password(account, count, p);
    check_wait(&answer);
    let next = password_gate(account, FailureRecord { count, last: Some(now) }, p, now);
    match account {
        Account::Office if count >= p.office_max_failures => {
            assert_eq!(answer.code, ErrorCode::OfficeLocked);
            assert!(answer.retry_after.is_some() && answer.tries_left.is_none());
            // The lock announced is the lock met (when the lock is a real one).
            if p.office_lock_duration >= Duration::SECOND && later(now, p.office_lock_duration).is_some() {
                assert_eq!(next, Err(answer), "announced {answer:?}, met {next:?}");
            }
        }
        Account::Office => {
            assert_eq!(answer, Refusal::new(ErrorCode::InvalidCredentials).with_tries_left(p.office_max_failures - count));
            assert!(answer.tries_left >= Some(1));
            assert_eq!(next, Ok(()), "{} tries left, yet the next one is refused", p.office_max_failures - count);
        }
        Account::User if count >= p.user_max_failures => {
            assert_eq!(answer, Refusal::new(ErrorCode::UserLocked));
            assert_eq!(next, Err(answer));
        }
        Account::User => assert_eq!(answer, Refusal::new(ErrorCode::InvalidCredentials)),
    }
}

fn initial_password(p: &Policy, now: OffsetDateTime, must_change: bool, issued: Option<OffsetDateTime>) {
    let answer = initial_password_usable(must_change, issued, p, now);
    match (must_change, issued) {
        (true, Some(at)) => {
            if let Err(code) = answer {
                assert_eq!(code, ErrorCode::InitialPasswordExpired);
                // Once expired, it stays expired.
                if let Some(then) = later(now, Duration::days(1)) {
                    assert_eq!(initial_password_usable(true, Some(at), p, then), Err(code));
                }
            } else if let Some(end) = later(at, p.initial_password_lifetime) {
                assert!(end > now, "expired at {end}, still usable at {now}");
            }
        }
        _ => assert_eq!(answer, Ok(()), "a chosen password, or one without an issue time, never expires"),
    }
}

fn challenge(p: &Policy, now: OffsetDateTime, login: LoginChallenge) {
    assert_eq!(login.open(now).is_ok(), login.owned_by_caller && !login.completed && login.expires_at > now);
    if let Err(code) = login.open(now) {
        assert_eq!(code, ErrorCode::ChallengeNotFound);
    }

    match login.send_code(p, now) {
        Ok(t) => {
            assert_eq!(t.sent_at, now);
            if let Some(exp) = later(now, p.one_time_code_lifetime) {
                assert_eq!(t.expires_at, exp);
            }
            if let Some(next) = later(now, p.one_time_code_resend_interval) {
                assert_eq!(t.resend_allowed_at, next);
            }
            if let Some(c) = login.code {
                assert!(later(c.sent_at, p.one_time_code_resend_interval).is_none_or(|allowed| allowed <= now));
            }
            // The code just sent is checkable now (a real lifetime, a try allowed).
            let sent = LoginChallenge { code: Some(PendingCode { sent_at: t.sent_at, expires_at: t.expires_at, wrong_tries: 0 }), ..login };
            let checkable = sent.code_checkable(p, now);
            if p.one_time_code_lifetime.is_positive() && p.one_time_code_max_attempts > 0 {
                assert_eq!(checkable, Ok(()));
            }
        }
        Err(r) => {
            assert_eq!(r.code, ErrorCode::CodeResendTooSoon);
            check_wait(&r);
            let d = r.retry_after.expect("a resend refusal says how long");
            if let Some(then) = later(now, told_wait(d)) {
                assert!(login.send_code(p, then).is_ok(), "{r:?}: still too soon after {}", told_wait(d));
            }
        }
    }

    let checkable = login.code_checkable(p, now);
    match login.code {
        None => assert_eq!(checkable, Err(ErrorCode::CodeNotSent)),
        Some(c) if c.expires_at <= now => assert_eq!(checkable, Err(ErrorCode::CodeExpired)),
        Some(c) if c.wrong_tries >= p.one_time_code_max_attempts => assert_eq!(checkable, Err(ErrorCode::CodeAttemptsExhausted)),
        Some(_) => assert_eq!(checkable, Ok(())),
    }
    // A wrong code's answer agrees with what the next check meets.
    if let Some(c) = login.code.filter(|c| c.expires_at > now) {
        let answer = wrong_code(c.wrong_tries, p);
        let next = LoginChallenge { code: Some(c), ..login }.code_checkable(p, now);
        match answer {
            ErrorCode::CodeIncorrect => assert_eq!(next, Ok(())),
            ErrorCode::CodeAttemptsExhausted => assert_eq!(next, Err(answer)),
            other => panic!("wrong_code answered {other:?}"),
        }
    }

    // A login opened now is open now, for as long as its lifetime.
    let expiry = login_challenge_expiry(p, now);
    let fresh = LoginChallenge { owned_by_caller: true, completed: false, expires_at: expiry, code: None };
    if p.login_challenge_lifetime.is_positive() {
        assert_eq!(fresh.open(now), Ok(()), "a login opened at {now} is not open (ends {expiry})");
    } else {
        assert_eq!(fresh.open(now), Err(ErrorCode::ChallengeNotFound));
    }
}

fn sessions(p: &Policy, now: OffsetDateTime, input: &Input) {
    let s = SessionRecord { owned_by_caller: input.owned, revoked: input.revoked, last_seen: input.t1.0, expires_at: input.t2.0 };
    match s.in_force(p, now) {
        Ok(touch) => {
            assert!(s.owned_by_caller && !s.revoked && s.expires_at > now);
            assert!(s.last_seen.saturating_add(p.session_idle_lifetime) > now);
            assert_eq!(touch, now - s.last_seen > SESSION_TOUCH_INTERVAL);
        }
        Err(code) => {
            assert_eq!(code, ErrorCode::Unauthenticated);
            assert!(!s.owned_by_caller || s.revoked || s.expires_at <= now || s.last_seen.saturating_add(p.session_idle_lifetime) <= now);
        }
    }
    // A session opened now is in force now, with nothing to write yet.
    let fresh = SessionRecord { owned_by_caller: true, revoked: false, last_seen: now, expires_at: session_expiry(p, now) };
    let in_force = fresh.in_force(p, now);
    if p.session_absolute_lifetime.is_positive() && p.session_idle_lifetime.is_positive() {
        assert_eq!(in_force, Ok(false), "a session opened at {now} is not in force");
    } else {
        assert_eq!(in_force, Err(ErrorCode::Unauthenticated));
    }

    let trust = DeviceTrustRecord { owned_by_caller: input.owned, revoked: input.revoked, expires_at: input.t1.0 };
    assert_eq!(trust.trusted(now), trust.owned_by_caller && !trust.revoked && trust.expires_at > now);
    let fresh = DeviceTrustRecord { owned_by_caller: true, revoked: false, expires_at: device_trust_expiry(p, now) };
    assert_eq!(fresh.trusted(now), p.device_trust_lifetime.is_positive());
}

fn terminals(p: &Policy, now: OffsetDateTime, input: &Input) {
    let entries = input.count.0;
    let link = match input.link % 4 {
        0 => TerminalLink::AwaitingDevice(Activation { expires_at: input.t1.0, wrong_entries: entries }),
        1 => TerminalLink::Pending { challenge_expires_at: Some(input.t2.0) },
        2 => TerminalLink::Pending { challenge_expires_at: None },
        _ => TerminalLink::Linked,
    };
    let redeemable = link.activation_redeemable(p, now);
    match link {
        TerminalLink::AwaitingDevice(a) if a.wrong_entries < p.terminal_activation_max_attempts && a.expires_at > now => {
            assert_eq!(redeemable, Ok(()))
        }
        TerminalLink::AwaitingDevice(_) => assert_eq!(redeemable, Err(ErrorCode::ActivationCodeExpired)),
        _ => assert_eq!(redeemable, Err(ErrorCode::ActivationCodeUsed)),
    }
    assert_eq!(link.activation_reissuable().is_err(), link == TerminalLink::Linked);
    let answerable = link.challenge_answerable(now);
    match link {
        TerminalLink::Pending { challenge_expires_at: Some(t) } if t > now => assert_eq!(answerable, Ok(())),
        _ => assert_eq!(answerable, Err(ErrorCode::TerminalChallengeExpired)),
    }

    // A wrong activation code: the tries left are the tries the next one meets.
    let answer = wrong_activation_code(entries, p);
    let next = TerminalLink::AwaitingDevice(Activation { expires_at: input.t1.0, wrong_entries: entries });
    match answer.tries_left {
        Some(left) => {
            assert_eq!(answer.code, ErrorCode::ActivationCodeIncorrect);
            assert!(left >= 1 && u64::from(left) + u64::from(entries) == u64::from(p.terminal_activation_max_attempts));
            if input.t1.0 > now {
                assert_eq!(next.activation_redeemable(p, now), Ok(()));
            }
        }
        None => {
            assert_eq!(answer, Refusal::new(ErrorCode::ActivationCodeExpired));
            assert_eq!(next.activation_redeemable(p, now), Err(ErrorCode::ActivationCodeExpired));
        }
    }

    // A terminal issued now can be redeemed now; a challenge given now answered now.
    let issued = TerminalLink::AwaitingDevice(Activation { expires_at: terminal_activation_expiry(p, now), wrong_entries: 0 });
    assert_eq!(
        issued.activation_redeemable(p, now).is_ok(),
        p.terminal_activation_lifetime.is_positive() && p.terminal_activation_max_attempts > 0
    );
    let pending = TerminalLink::Pending { challenge_expires_at: Some(terminal_challenge_expiry(p, now)) };
    assert_eq!(pending.challenge_answerable(now).is_ok(), p.terminal_challenge_lifetime.is_positive());
}

fn certificates(not_before: OffsetDateTime, not_after: OffsetDateTime, now: OffsetDateTime) {
    // Stated from the time left, not in the order the rule tests.
    let left = not_after - now;
    let expected = match (now < not_before, left.is_positive(), left < Duration::days(CERTIFICATE_WARNING_DAYS)) {
        (true, _, _) => CertificateStatus::NotYetValid,
        (false, false, _) => CertificateStatus::Expired,
        (false, true, true) => CertificateStatus::ExpiresSoon,
        (false, true, false) => CertificateStatus::Valid,
    };
    assert_eq!(certificate_status(not_before, not_after, now), expected);
}
