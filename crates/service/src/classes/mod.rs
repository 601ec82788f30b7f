//! 研修: a trainer's class of practice offices. An operator opens it (its
//! seats' offices made up and stored at once), PCs join it with the join
//! code and a certificate request, the trainer follows and helps on a page
//! of their own, and at its end everything of it is deleted.

pub mod host;
pub mod request;
pub mod room;

use crate::onboarding::{Failure, Onboarding};
use crate::pki::CertificateAuthority;
use crate::secrets::{random_token, token_hash, CodeKey, PasswordHasher};
use crate::store::{self, classes, new_id, offices, Db};
use kaigo_api::class::{JoinedClass, SeatSignIn, TrainerGrid, TrainerGridChange, TrainerSeat, TrainerSeatCondition, TrainerStepCount};
use kaigo_domain::class::{choose_seat, seat_progress, CaPin, ClassPolicy, ClassStep, JoinCode, SeatChoice, SeatCondition, WrongJoins};
use kaigo_domain::{ErrorCode, Policy};
use rand::{Rng as _, RngCore as _};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use time::{Duration, OffsetDateTime};

/// The CA of the classes a service runs: it signed the service's TLS
/// certificate, and signs each seat's client certificate.
pub struct ClassAuthority {
    ca: CertificateAuthority,
    pub ca_pem: String,
    pub ca_sha256: [u8; 32],
}

impl ClassAuthority {
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> anyhow::Result<ClassAuthority> {
        let der = rustls_pemfile::certs(&mut cert_pem.as_bytes()).next().ok_or_else(|| anyhow::anyhow!("no CA certificate in PEM"))??;
        let ca_sha256: [u8; 32] = Sha256::digest(der.as_ref()).into();
        Ok(ClassAuthority { ca: CertificateAuthority::from_pem(cert_pem, key_pem)?, ca_pem: cert_pem.to_owned(), ca_sha256 })
    }

    /// The pin a join link carries: the CA's whole SHA-256, in hex.
    pub fn pin(&self) -> String {
        hex::encode(self.ca_sha256)
    }

    /// The pin typed from the projector (確認コード).
    pub fn short_pin(&self) -> String {
        CaPin::short_of(&self.ca_sha256)
    }
}

/// How long a ticket to the trainer's pages is good for: the app's window
/// opens it at once.
pub const TICKET_LIFETIME: Duration = Duration::minutes(1);

/// One-time tickets to the trainer's pages, which the app that runs a class
/// hands to its own windows, so that the link's secret never goes into a
/// URL a window's history could keep. Kept in memory by their hashes: the
/// app serves its class from one process, and a ticket lost with it is
/// asked for again.
#[derive(Clone, Default)]
pub struct TrainerTickets(Arc<Mutex<HashMap<String, (String, OffsetDateTime)>>>);

impl TrainerTickets {
    fn give(&self, hash: String, class_id: &str, now: OffsetDateTime) {
        let mut tickets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        tickets.retain(|_, (_, until)| now < *until);
        tickets.insert(hash, (class_id.to_owned(), now + TICKET_LIFETIME));
    }

    /// The class of a ticket still good; it is good no more.
    fn take(&self, hash: &str, now: OffsetDateTime) -> Option<String> {
        let mut tickets = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        tickets.remove(hash).filter(|(_, until)| now < *until).map(|(class_id, _)| class_id)
    }
}

/// What the operator asks for.
pub struct ClassRequest {
    pub name: String,
    pub seats: u32,
    pub ends_at: OffsetDateTime,
}

/// A class, opened: what only the operator sees, once.
pub struct OpenedClass {
    pub id: String,
    pub join_code: JoinCode,
    /// The secret of the trainer's sign-in link; only its keyed hash is kept.
    pub trainer_secret: SecretString,
}

/// A seat office's secrets, sealed in its row for whoever joins the seat.
#[derive(serde::Serialize, serde::Deserialize)]
struct SeatSecrets {
    password: String,
    security_code: Option<String>,
}

const JOIN_CODE_PURPOSE: &str = "class-join-code";
const TRAINER_SECRET_PURPOSE: &str = "class-trainer-secret";

fn random_digits(n: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

/// A practice password staff can read off the screen and type: twelve
/// letters and digits that cannot be mistaken for each other.
fn seat_password() -> String {
    const READABLE: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12).map(|_| char::from(READABLE[rng.gen_range(0..READABLE.len())])).collect()
}

/// Office numbers and KJ IDs for `n` seats, none of them taken yet. They
/// begin with 99 and KJ99, which no prefecture's offices have, so a
/// practice number never looks like a real office's.
async fn made_up_ids(conn: &mut store::Conn, n: u32) -> Result<Vec<(String, String)>, Failure> {
    let mut taken = HashSet::new();
    let mut ids = Vec::new();
    while ids.len() < n as usize {
        let number = format!("99{}", random_digits(8));
        let kj = format!("KJ99{}", random_digits(8));
        if taken.contains(&number) || taken.contains(&kj) {
            continue;
        }
        if offices::find_by_billing_id(conn, &kj).await?.is_some() || offices::number_taken(conn, &number).await? {
            continue;
        }
        taken.insert(number.clone());
        taken.insert(kj.clone());
        ids.push((number, kj));
    }
    Ok(ids)
}

/// Opens a class: every seat's office is made (its password hashed) before
/// the class is stored, in one transaction, so a class is whole or absent.
pub async fn open_class(
    db: &Db, hasher: &PasswordHasher, key: &CodeKey, policy: &ClassPolicy, req: &ClassRequest, now: OffsetDateTime,
) -> Result<OpenedClass, Failure> {
    let name = kaigo_domain::ClassName::parse(&req.name).map_err(|c| Failure::field(c, "name"))?;
    let name = name.as_str();
    policy.check_class(req.seats, req.ends_at, now)?;
    let class_id = new_id();
    let mut bytes = [0u8; 5];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let join_code = JoinCode::from_random(bytes);
    let trainer_secret = random_token();
    let secrets: Vec<SeatSecrets> = (1..=req.seats)
        .map(|seat| SeatSecrets {
            password: seat_password(),
            // Every third office has a security code, as some real ones do.
            security_code: (seat % 3 == 0).then(|| random_digits(4)),
        })
        .collect();
    // All cores hash at once; the hasher bounds how many.
    let mut hashing = tokio::task::JoinSet::new();
    for (i, s) in secrets.iter().enumerate() {
        let (hasher, password, code) = (hasher.clone(), SecretString::from(s.password.clone()), s.security_code.clone());
        hashing.spawn(async move {
            let password = hasher.hash(&password).await?;
            let code = match code {
                Some(c) => Some(hasher.hash(&SecretString::from(c)).await?),
                None => None,
            };
            anyhow::Ok((i, password, code))
        });
    }
    let mut hashes = vec![(String::new(), None); secrets.len()];
    while let Some(done) = hashing.join_next().await {
        let (i, password, code) = done.map_err(anyhow::Error::from)??;
        hashes[i] = (password, code);
    }
    let mut tx = db.begin().await?;
    let ids = made_up_ids(&mut tx, req.seats).await?;
    classes::insert(
        &mut tx,
        classes::NewClass {
            id: &class_id,
            name,
            seats: req.seats,
            join_code_mac: &key.code_hash(JOIN_CODE_PURPOSE, join_code.as_str()),
            join_code_sealed: &key.seal(&class_id, join_code.as_str()),
            trainer_secret_mac: &key.code_hash(TRAINER_SECRET_PURPOSE, trainer_secret.expose_secret()),
            now,
            ends_at: req.ends_at,
        },
    )
    .await?;
    for (seat, ((secret, (password_hash, code_hash)), (number, kj))) in (1..).zip(secrets.iter().zip(&hashes).zip(&ids)) {
        let office_id = new_id();
        let office_name = format!("研修事業所 {seat:03}");
        let email = format!("seat{seat:03}@class-{}.kaigo-onboard.invalid", &class_id[..8]);
        offices::insert(
            &mut tx,
            offices::NewOffice {
                id: &office_id,
                office_number: number,
                name: &office_name,
                electronic_billing_id: kj,
                password_hash,
                security_code_hash: code_hash.as_deref(),
                email: &email,
                now,
            },
        )
        .await?;
        let sealed = key.seal(&office_id, &serde_json::to_string(secret).map_err(anyhow::Error::from)?);
        classes::insert_seat(&mut tx, &class_id, seat, &office_id, &sealed).await?;
    }
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(OpenedClass { id: class_id, join_code, trainer_secret })
}

impl Onboarding {
    fn class_authority(&self) -> Result<&ClassAuthority, Failure> {
        self.classes.as_deref().ok_or(Failure::from(ErrorCode::ClassesNotOffered))
    }

    /// The CA the app checks against the trainer's pin.
    pub fn class_ca_pem(&self) -> Result<String, Failure> {
        Ok(self.class_authority()?.ca_pem.clone())
    }

    /// A PC joins the class of `join_code` from `address`: the seat its key
    /// holds, or the first free one, and a client certificate for it.
    pub async fn join_class(&self, address: &str, join_code: &str, request_pem: &str) -> Result<JoinedClass, Failure> {
        let authority = self.class_authority()?;
        let now = self.now();
        let code = JoinCode::parse(join_code).map_err(|c| Failure::field(c, "join_code"))?;
        let request = request::check_request(request_pem).map_err(|c| Failure::field(c, "certificate_request_pem"))?;
        // Wrong codes are counted for the PC (its key, from its address)
        // and for the address, a room behind NAT (`WrongJoins`). The
        // address's row is taken (one row a join: no order to keep), then
        // the counts read, the code judged and a wrong one counted in one
        // transaction, so that codes sent at once are judged one after
        // another. A PC's row is made only by a wrong code; a right code
        // counts nothing.
        let pc = format!("{address} {}", request.key_fingerprint);
        let mut tx = self.db.begin().await?;
        let address_wrong = classes::join_turn(&mut tx, address, now).await?;
        let wrong = WrongJoins { pc: classes::wrong_joins(&mut tx, &pc).await?, address: address_wrong };
        self.class_policy.join_gate(wrong, now)?;
        let Some(class) = classes::find_by_join_code(&mut tx, &self.code_key.code_hash(JOIN_CODE_PURPOSE, code.as_str())).await? else {
            let pc_count = self.class_policy.wrong_joins_after(wrong.pc, now);
            let address_count = self.class_policy.wrong_joins_after(wrong.address, now);
            classes::record_wrong_join(&mut tx, &pc, pc_count, now).await?;
            classes::record_wrong_join(&mut tx, address, address_count, now).await?;
            tx.commit().await.map_err(store::StoreError::from)?;
            return Err(self.class_policy.wrong_join(pc_count, address_count).into());
        };
        tx.commit().await.map_err(store::StoreError::from)?;
        // PCs joining at once take turns (`take_turn`); should two still
        // reach for the same free seat, the one whose write lands takes it,
        // the other looks again.
        for _ in 0..8 {
            let mut tx = self.db.begin().await?;
            classes::take_turn(&mut tx, &class.id).await?;
            let seat_of_key = classes::seat_of_key(&mut tx, &class.id, &request.key_fingerprint).await?;
            let first_free = classes::first_free_seat(&mut tx, &class.id).await?;
            let seat = match choose_seat(class.state(), now, seat_of_key, first_free)? {
                SeatChoice::Again(seat) => seat,
                SeatChoice::Take(seat) => match classes::take_seat(&mut tx, &class.id, seat, &request.key_fingerprint, now).await {
                    Ok(true) => seat,
                    Ok(false) | Err(store::StoreError::Conflict(_)) => continue,
                    Err(e) => return Err(e.into()),
                },
            };
            let Some(row) = classes::seat(&mut tx, &class.id, seat).await? else { continue };
            let issued = authority
                .ca
                .issue_office_client_for(
                    &request.params.public_key,
                    &row.office_number,
                    &row.office_name,
                    now - Duration::hours(1),
                    class.ends_at,
                )
                .map_err(Failure::Internal)?;
            let fingerprint = crate::pki::fingerprint(&issued.cert_der);
            offices::add_certificate(&mut tx, &row.office_id, &fingerprint, &row.office_name, issued.not_after, now).await?;
            tx.commit().await.map_err(store::StoreError::from)?;
            let secrets: SeatSecrets = self
                .code_key
                .open(&row.office_id, &row.sealed_credentials)
                .and_then(|json| serde_json::from_str(&json).ok())
                .ok_or_else(|| Failure::Internal(anyhow::anyhow!("a seat's credentials cannot be opened with this service key")))?;
            return Ok(JoinedClass {
                class_name: class.name.clone(),
                seat_number: seat,
                ends_at: class.ends_at,
                certificate_pem: issued.cert_pem,
                ca_pem: authority.ca_pem.clone(),
                sign_in: SeatSignIn {
                    office_number: row.office_number,
                    office_name: row.office_name,
                    electronic_billing_id: row.electronic_billing_id,
                    password: secrets.password,
                    security_code: secrets.security_code,
                    office_email: row.email,
                },
            });
        }
        Err(ErrorCode::ServiceUnavailable.into())
    }

    /// The trainer's link: a session for the browser that opened it (its
    /// token for the cookie) while the class runs.
    pub async fn trainer_sign_in(&self, secret: &str) -> Result<(SecretString, classes::TrainerSession), Failure> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let class = classes::find_by_trainer_secret(&mut conn, &self.code_key.code_hash(TRAINER_SECRET_PURPOSE, secret.trim()))
            .await?
            .filter(|c| c.state().open(now))
            .ok_or(Failure::from(ErrorCode::TrainerSignInRequired))?;
        self.start_trainer_session(&mut conn, class, now).await
    }

    /// A ticket to the trainer's pages of a running class, for a window of
    /// the app that runs it: good once, for [`TICKET_LIFETIME`].
    pub async fn trainer_ticket(&self, class_id: &str) -> Result<SecretString, Failure> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        classes::find(&mut conn, class_id).await?.filter(|c| c.state().open(now)).ok_or(ErrorCode::ClassClosed)?;
        let ticket = random_token();
        self.trainer_tickets.give(token_hash(ticket.expose_secret()), class_id, now);
        Ok(ticket)
    }

    /// A ticket handed in: a session as the trainer's link gives, once.
    pub async fn trainer_sign_in_with_ticket(&self, ticket: &str) -> Result<(SecretString, classes::TrainerSession), Failure> {
        let now = self.now();
        let refused = || Failure::from(ErrorCode::TrainerSignInRequired);
        let class_id = self.trainer_tickets.take(&token_hash(ticket.trim()), now).ok_or_else(refused)?;
        let mut conn = self.db.acquire().await?;
        let class = classes::find(&mut conn, &class_id).await?.filter(|c| c.state().open(now)).ok_or_else(refused)?;
        self.start_trainer_session(&mut conn, class, now).await
    }

    /// Whether a class is still running (not closed, not over).
    pub async fn class_running(&self, class_id: &str) -> Result<bool, Failure> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        Ok(classes::find(&mut conn, class_id).await?.is_some_and(|c| c.state().open(now)))
    }

    /// A running class's name, and what the room types to join it.
    pub async fn invitation_of(&self, class_id: &str) -> Result<(String, ClassInvitation), Failure> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let class = classes::find(&mut conn, class_id).await?.filter(|c| c.state().open(now)).ok_or(ErrorCode::ClassClosed)?;
        Ok((class.name.clone(), self.class_invitation(&class)?))
    }

    async fn start_trainer_session(
        &self, conn: &mut store::Conn, class: classes::Class, now: OffsetDateTime,
    ) -> Result<(SecretString, classes::TrainerSession), Failure> {
        let token = random_token();
        let csrf_token = random_token().expose_secret().to_owned();
        classes::insert_trainer_session(conn, &token_hash(token.expose_secret()), &class.id, &csrf_token, now, class.ends_at).await?;
        Ok((token, classes::TrainerSession { class_id: class.id, csrf_token, expires_at: class.ends_at }))
    }

    /// The trainer's session of a cookie, and its class (still running).
    pub async fn trainer_session(&self, token: Option<&str>) -> Result<(classes::TrainerSession, classes::Class), Failure> {
        let now = self.now();
        let refused = || Failure::from(ErrorCode::TrainerSignInRequired);
        let token = token.ok_or_else(refused)?;
        let mut conn = self.db.acquire().await?;
        let session = classes::trainer_session(&mut conn, &token_hash(token)).await?.filter(|s| now < s.expires_at).ok_or_else(refused)?;
        let class = classes::find(&mut conn, &session.class_id).await?.filter(|c| c.state().open(now)).ok_or_else(refused)?;
        Ok((session, class))
    }

    /// What the trainer shows the room: where to connect and the codes.
    pub fn class_invitation(&self, class: &classes::Class) -> Result<ClassInvitation, Failure> {
        let authority = self.class_authority()?;
        let code = self
            .code_key
            .open(&class.id, &class.join_code_sealed)
            .and_then(|c| JoinCode::parse(&c).ok())
            .ok_or_else(|| Failure::Internal(anyhow::anyhow!("a class's join code cannot be opened with this service key")))?;
        Ok(ClassInvitation::new(&self.public_url, &code, authority))
    }

    /// Every seat of a class as the trainer's grid shows it, while the class
    /// runs: a class closed or ended has no grid (`class_closed`), so that a
    /// trainer's stream ends with it rather than sending empty grids.
    pub async fn class_grid(&self, class: &classes::Class) -> Result<TrainerGrid, Failure> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let class = classes::find(&mut conn, &class.id).await?.filter(|c| c.state().open(now)).ok_or(ErrorCode::ClassClosed)?;
        let seats = classes::seats(&mut conn, &class.id).await?;
        let facts = classes::seat_facts(&mut conn, &class.id).await?;
        Ok(grid(&class, &seats, &facts, &self.policy, now))
    }

    async fn seat_office(&self, class_id: &str, seat: u32) -> Result<String, Failure> {
        let mut conn = self.db.acquire().await?;
        Ok(classes::seat(&mut conn, class_id, seat).await?.ok_or(Failure::from(ErrorCode::NotFound))?.office_id)
    }

    /// ロック解除: the seat's office and admin may log in again at once.
    pub async fn unlock_seat(&self, class_id: &str, seat: u32) -> Result<(), Failure> {
        let office_id = self.seat_office(class_id, seat).await?;
        let mut conn = self.db.acquire().await?;
        classes::unlock_office(&mut conn, &office_id).await?;
        Ok(())
    }

    /// 最初からやり直す: the seat's Step 3 is undone; its PC keeps the seat.
    pub async fn reset_seat(&self, class_id: &str, seat: u32) -> Result<(), Failure> {
        let office_id = self.seat_office(class_id, seat).await?;
        let mut tx = self.db.begin().await?;
        classes::reset_office(&mut tx, &office_id, self.now()).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(())
    }

    /// 研修を終える: the class's last grid, then everything of it deleted.
    pub async fn close_class(&self, class: &classes::Class) -> Result<TrainerGrid, Failure> {
        let last = self.class_grid(class).await?;
        let mut conn = self.db.acquire().await?;
        classes::close(&mut conn, &class.id, self.now()).await?;
        drop(conn);
        delete_over(&self.db, &self.class_policy, self.now()).await?;
        Ok(last)
    }
}

/// Deletes every class that has ended or was closed, with all that was in
/// it, and the wrong-join counts whose window has passed (they name PCs,
/// and count for nothing any more); then SQLite's log is emptied, so that
/// nothing of them stays readable in the database's files (freed pages are
/// zeroed: `secure_delete`). Returns the classes deleted.
pub async fn delete_over(db: &Db, policy: &ClassPolicy, now: OffsetDateTime) -> Result<usize, Failure> {
    let mut conn = db.acquire().await?;
    let over = classes::over(&mut conn, now).await?;
    drop(conn);
    for class_id in &over {
        let mut tx = db.begin().await?;
        classes::delete(&mut tx, class_id).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        tracing::info!(class = %class_id, "class deleted");
    }
    let mut conn = db.acquire().await?;
    let forgotten = classes::forget_wrong_joins_before(&mut conn, now - policy.wrong_join_window).await?;
    drop(conn);
    if !over.is_empty() || forgotten > 0 {
        db.truncate_log().await?;
    }
    Ok(over.len())
}

fn grid(
    class: &classes::Class, seats: &[classes::Seat], facts: &[(u32, kaigo_domain::class::SeatFacts, Option<String>)], policy: &Policy,
    now: OffsetDateTime,
) -> TrainerGrid {
    let mut rows = Vec::with_capacity(seats.len());
    for (seat, (number, f, last_failure)) in seats.iter().zip(facts) {
        let p = seat_progress(f, policy, now);
        let refusal = last_failure.as_deref().and_then(crate::store::audit::AuditFailure::from_outcome);
        rows.push(TrainerSeat {
            seat_number: *number,
            office_name: seat.office_name.clone(),
            electronic_billing_id: seat.electronic_billing_id.clone(),
            step: p.step,
            condition: wire_condition(p.condition),
            locked_until: match p.condition {
                SeatCondition::Locked(until) => until,
                _ => None,
            },
            needs_help: p.condition.needs_help(),
            idle_seconds: p.idle_for.map(|d| d.whole_seconds().max(0).unsigned_abs()),
            last_refusal: refusal.map(|r| r.why().to_owned()),
        });
    }
    let counts = std::iter::once(ClassStep::NotJoined)
        .chain(ClassStep::COLUMNS)
        .map(|step| TrainerStepCount { step, seats: u32::try_from(rows.iter().filter(|r| r.step == step).count()).unwrap_or(u32::MAX) })
        .collect();
    let joined = rows.iter().filter(|r| r.step != ClassStep::NotJoined).count();
    let nobody_reached = kaigo_domain::class::nobody_has_reached(class.created_at, now, joined);
    TrainerGrid { class_name: class.name.clone(), ends_at: class.ends_at, seats: rows, counts, at: now, nobody_reached }
}

fn wire_condition(condition: SeatCondition) -> TrainerSeatCondition {
    match condition {
        SeatCondition::NotJoined => TrainerSeatCondition::NotJoined,
        SeatCondition::Working => TrainerSeatCondition::Working,
        SeatCondition::WaitingForCode => TrainerSeatCondition::WaitingForCode,
        SeatCondition::CodeExpired => TrainerSeatCondition::CodeExpired,
        SeatCondition::Locked(_) => TrainerSeatCondition::Locked,
        SeatCondition::Finished => TrainerSeatCondition::Finished,
    }
}

/// What attendees need to join: shown on the projector, printed by the
/// command that opens the class, and carried whole by the join link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInvitation {
    /// The service's address for the app (接続先).
    pub service_url: String,
    /// 参加コード, as shown.
    pub join_code: String,
    /// 確認コード: the short pin of the class's CA.
    pub short_pin: String,
    /// `kaigo-onboard://join?…`: opens the app's join screen filled in.
    pub join_link: String,
}

impl ClassInvitation {
    pub fn new(service_url: &str, code: &JoinCode, authority: &ClassAuthority) -> ClassInvitation {
        let join_link = kaigo_api::class::join_link(service_url, &code.display(), &authority.pin());
        ClassInvitation { service_url: service_url.to_owned(), join_code: code.display(), short_pin: authority.short_pin(), join_link }
    }
}

/// The grid as CSV in Japanese, one line a seat, with a byte-order mark so
/// that spreadsheet programs read the Japanese right. The words are the
/// trainer's page's (the words crate).
pub fn summary_csv(grid: &TrainerGrid, policy: &Policy) -> anyhow::Result<Vec<u8>> {
    let words = kaigo_words::trainer_words(policy);
    let say = |key: &str| words.get(key).map(|[ja, _]| ja.clone()).unwrap_or_else(|| key.to_owned());
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(["seat", "office", "csv_user_id", "csv_step", "condition", "last_refusal", "csv_idle_minutes"].map(say))?;
    for s in &grid.seats {
        let condition = match (s.condition, s.locked_until) {
            (TrainerSeatCondition::Locked, Some(until)) => {
                let t = until.to_offset(kaigo_domain::messages::JAPAN_TIME);
                say("seat_locked_until").replace("{until}", &format!("{}:{:02}", t.hour(), t.minute()))
            }
            (condition, _) => say(&format!("seat_{}", wire_name(&condition))),
        };
        out.write_record([
            s.seat_number.to_string(),
            s.office_name.clone(),
            s.electronic_billing_id.clone(),
            say(&format!("grid_step_{}", wire_name(&s.step))),
            condition,
            s.last_refusal.as_deref().map(|why| say(&format!("refusal_{why}"))).unwrap_or_default(),
            s.idle_seconds.map(|n| (n / 60).to_string()).unwrap_or_default(),
        ])?;
    }
    out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// A value's name on the wire (`office_login`): the words' keys end in it.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The join link as a QR code (SVG), dark on light with its quiet zone, in
/// modules large enough to be read from a camera across a room.
pub fn join_qr_svg(join_link: &str) -> anyhow::Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(join_link.as_bytes(), qrcode::EcLevel::M)?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(320, 320).quiet_zone(true).build())
}

/// The trainer's stream: what it has sent of each seat. A seat's idle time
/// ticks every second and is no change by itself (the page counts it on);
/// a seat that did something since — a new step, or only a code sent
/// again or a password tried again — is.
#[derive(Debug, Default)]
pub struct GridSent {
    seats: std::collections::HashMap<u32, (TrainerSeat, Option<i64>)>,
    nobody_reached: bool,
}

impl GridSent {
    /// The grid the stream begins with, noted as sent.
    pub fn first(grid: &TrainerGrid) -> GridSent {
        GridSent { seats: grid.seats.iter().map(|s| (s.seat_number, as_sent(s, grid.at))).collect(), nobody_reached: grid.nobody_reached }
    }

    /// What of `grid` has not been sent (none: nothing moved), noted as sent.
    pub fn change(&mut self, grid: TrainerGrid) -> Option<TrainerGridChange> {
        let at = grid.at;
        let moved: Vec<TrainerSeat> = grid
            .seats
            .into_iter()
            .filter(|s| match self.seats.get(&s.seat_number) {
                None => true,
                Some((seat, active)) => {
                    let (now_seat, now_active) = as_sent(s, at);
                    let did_something = match (active, now_active) {
                        // Whole seconds on both sides: a second either way is the same moment.
                        (Some(before), Some(now)) => (before - now).abs() > 1,
                        (before, now) => *before != now,
                    };
                    *seat != now_seat || did_something
                }
            })
            .collect();
        if moved.is_empty() && grid.nobody_reached == self.nobody_reached {
            return None;
        }
        for seat in &moved {
            self.seats.insert(seat.seat_number, as_sent(seat, at));
        }
        self.nobody_reached = grid.nobody_reached;
        Some(TrainerGridChange { seats: moved, counts: grid.counts, at, nobody_reached: grid.nobody_reached })
    }
}

/// A seat as the stream compares it: without its idle time, and when it
/// last did something (Unix seconds; none once finished).
fn as_sent(seat: &TrainerSeat, at: OffsetDateTime) -> (TrainerSeat, Option<i64>) {
    let active = seat.idle_seconds.map(|idle| at.unix_timestamp() - i64::try_from(idle).unwrap_or(i64::MAX));
    (TrainerSeat { idle_seconds: None, ..seat.clone() }, active)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn seat(n: u32, step: ClassStep, idle_seconds: Option<u64>) -> TrainerSeat {
        TrainerSeat {
            seat_number: n,
            office_name: format!("練習事業所{n}"),
            electronic_billing_id: format!("KJ{n:010}"),
            step,
            condition: TrainerSeatCondition::Working,
            locked_until: None,
            needs_help: false,
            idle_seconds,
            last_refusal: None,
        }
    }

    /// Every step, condition and refusal the grid can send has the
    /// trainer's words, and every such word is one the grid can send.
    #[test]
    fn the_grid_s_steps_conditions_and_refusals_all_have_words_and_no_word_is_left_over() {
        use crate::store::audit::AuditFailure;
        let words = kaigo_words::trainer_words(&Policy::default());
        let steps = std::iter::once(ClassStep::NotJoined).chain(ClassStep::COLUMNS).map(|s| format!("grid_step_{}", wire_name(&s)));
        let conditions = [
            SeatCondition::NotJoined,
            SeatCondition::Working,
            SeatCondition::WaitingForCode,
            SeatCondition::CodeExpired,
            SeatCondition::Locked(None),
            SeatCondition::Finished,
        ]
        .map(|c| format!("seat_{}", wire_name(&wire_condition(c))));
        let refusals = AuditFailure::ALL.iter().map(|f| format!("refusal_{}", f.why()));
        let sent: Vec<String> = steps.chain(conditions).chain(["seat_locked_until".to_owned()]).chain(refusals).collect();
        let missing: Vec<&String> = sent.iter().filter(|k| !words.contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "no words for {missing:?}");
        let left_over: Vec<&&str> = words
            .keys()
            .filter(|k| ["grid_step_", "seat_", "refusal_"].iter().any(|p| k.starts_with(p)) && !sent.iter().any(|s| s == *k))
            .collect();
        assert!(left_over.is_empty(), "words the grid never sends: {left_over:?}");
        assert!(!words.contains_key("grid_step_"), "a name on the wire was empty");
    }

    #[test]
    fn the_csv_says_steps_conditions_and_refusals_in_the_trainer_s_words() {
        let mut locked = seat(1, ClassStep::OfficeLogin, Some(150));
        locked.condition = TrainerSeatCondition::Locked;
        locked.locked_until = Some(datetime!(2026-12-07 05:30 UTC));
        locked.last_refusal = Some(crate::store::audit::AuditFailure::InvalidPassword.why().to_owned());
        let done = TrainerSeat { condition: TrainerSeatCondition::Finished, ..seat(2, ClassStep::Finished, None) };
        let csv = String::from_utf8(summary_csv(&grid(vec![locked, done], false), &Policy::default()).unwrap()).unwrap();
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "席,事業所,ユーザID,段階,状態,最後のエラー,止まっている分");
        assert_eq!(lines[1], "1,練習事業所1,KJ0000000001,3-1 事業所ログイン,ロック中 14:30まで,パスワードの誤り,2");
        assert_eq!(lines[2], "2,練習事業所2,KJ0000000002,完了,完了,,");
    }

    fn grid(seats: Vec<TrainerSeat>, nobody_reached: bool) -> TrainerGrid {
        let at = datetime!(2026-12-07 10:00 UTC);
        TrainerGrid { class_name: "研修".into(), ends_at: at + Duration::hours(3), seats, counts: Vec::new(), at, nobody_reached }
    }

    #[test]
    fn the_stream_sends_the_seats_that_moved_and_nothing_for_idle_time_alone() {
        let room = |step_of: &dyn Fn(u32) -> ClassStep, secs: i64| TrainerGrid {
            at: datetime!(2026-12-07 10:00 UTC) + Duration::seconds(secs),
            ..grid((1..=500).map(|n| seat(n, step_of(n), Some(u64::try_from(secs).unwrap()))).collect(), false)
        };
        let mut sent = GridSent::first(&room(&|_| ClassStep::NotJoined, 0));
        // Idle times ticked: nothing to send.
        assert_eq!(sent.change(room(&|_| ClassStep::NotJoined, 7)), None);
        // Two seats moved: those two, whole (their idle time included).
        let mut moved = room(&|_| ClassStep::NotJoined, 8);
        moved.seats[41] = seat(42, ClassStep::OfficeLogin, Some(0));
        moved.seats[99] = seat(100, ClassStep::OfficeLogin, Some(0));
        let change = sent.change(moved.clone()).unwrap();
        assert_eq!(change.seats.iter().map(|s| s.seat_number).collect::<Vec<_>>(), [42, 100]);
        assert_eq!(change.seats[0].idle_seconds, Some(0));
        // Sent once: the same grid again is nothing new.
        assert_eq!(sent.change(moved.clone()), None);
        // The room's state changed without a seat moving: said, no seat sent.
        let change = sent.change(TrainerGrid { nobody_reached: true, ..moved }).unwrap();
        assert!(change.seats.is_empty() && change.nobody_reached);
    }

    #[test]
    fn a_seat_that_did_something_without_moving_on_is_sent_again() {
        let at = datetime!(2026-12-07 10:00 UTC);
        let later = |seats: Vec<TrainerSeat>, secs: i64| TrainerGrid { at: at + Duration::seconds(secs), ..grid(seats, false) };
        let mut sent = GridSent::first(&later(vec![seat(1, ClassStep::OfficeLogin, Some(0))], 0));
        // Ten seconds on, idle ten seconds: nothing new.
        assert_eq!(sent.change(later(vec![seat(1, ClassStep::OfficeLogin, Some(10))], 10)), None);
        // Sixty seconds on, idle two: the seat sent its code again — sent.
        let change = sent.change(later(vec![seat(1, ClassStep::OfficeLogin, Some(2))], 60)).unwrap();
        assert_eq!((change.seats.len(), change.seats[0].idle_seconds), (1, Some(2)));
        assert_eq!(sent.change(later(vec![seat(1, ClassStep::OfficeLogin, Some(3))], 61)), None);
    }
}
