//! 研修を開く in the app: the class this PC serves to a room, run inside the
//! app as the practice service is. A class has a folder of its own (its
//! CA's certificate, its database), secrets in the OS keychain (the key of
//! the CA made for it, the key that seals its codes) and a record beside
//! the folder that lets the class resume — same codes, same seats — after
//! the app or the PC restarted, until it ends. When the trainer ends it, or
//! its time is over, the service stops and the folder, the record and the
//! keychain entries are deleted.

use kaigo_app_core::class_discovery::{self, Announcer};
use kaigo_app_core::class_network;
use kaigo_app_core::keychain::SecretStore;
use kaigo_app_core::paths::write_atomic;
use kaigo_app_core::wizard::FormField;
use kaigo_app_core::{AppError, AppResult};
use kaigo_domain::ErrorCode;
use kaigo_service::classes::host::{self, ClassRefused, HostSettings};
use kaigo_service::classes::room::{self, RoomSecret, RoomSecrets};
use kaigo_service::classes::ClassRequest;
use kaigo_service::clock::{SharedClock, SystemClock};
use kaigo_service::RunningService;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

/// The port attendees' PCs connect to when it is free: one that stays the
/// same from class to class (outside the range the system hands out for
/// outgoing connections), so that a firewall rule or a note on the
/// projector keeps working. Taken, the system chooses one.
pub const CLASS_PORT: u16 = 8443;

/// What the trainer asks for on 研修を開く.
#[derive(Debug, Clone, Deserialize)]
pub struct ClassOpening {
    pub name: String,
    pub seats: u32,
    /// The class's length in hours.
    pub hours: f64,
    /// The network to serve on: one of [`class_network::this_pcs_class_networks`].
    pub address: IpAddr,
}

/// The class this PC serves, as the app's screens show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostedClass {
    pub name: String,
    pub seats: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    /// 接続先: what attendees type.
    pub service_url: String,
    pub join_code: String,
    /// 確認コード.
    pub short_pin: String,
    pub join_link: String,
    /// Announced on its network: 研修に参加する lists it there.
    pub announced: bool,
}

/// Which of the trainer's pages a window opens.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TrainerPage {
    /// 進み具合: the grid of seats and steps.
    Grid,
    /// 投影用の画面: the codes, large, for the projector.
    Projector,
}

impl TrainerPage {
    fn path(self) -> &'static str {
        match self {
            TrainerPage::Grid => "/trainer",
            TrainerPage::Projector => "/trainer/projector",
        }
    }

    /// The sign-in's `next` (the grid when none).
    fn next(self) -> &'static str {
        match self {
            TrainerPage::Grid => "grid",
            TrainerPage::Projector => "projector",
        }
    }
}

/// Kept beside the class's folder. Nothing secret: the codes stay sealed
/// in the class's database, the trainer gets in by one-time tickets.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    class_id: String,
    address: IpAddr,
    port: u16,
    #[serde(with = "time::serde::rfc3339")]
    ends_at: OffsetDateTime,
    seats: u32,
}

struct Serving {
    service: RunningService,
    record: Record,
    announced: Option<Announcer>,
}

impl Serving {
    /// Stops serving and closes the class's database: Windows deletes no
    /// file still open, and the folder goes next when the class is over.
    /// The announcement goes first, so that no list offers a class gone.
    async fn end(self) {
        if let Some(announced) = self.announced {
            // Its goodbye waits for the network a moment.
            let _ = tokio::task::spawn_blocking(move || drop(announced)).await;
        }
        let db = self.service.onboarding.db.clone();
        self.service.shutdown().await;
        db.close().await;
    }
}

/// The class announced on its network (DNS-SD), so that 研修に参加する lists
/// it there; never when served to this PC alone. Not announced (multicast
/// refused), attendees type the address: the class runs all the same.
async fn announce(service: &RunningService, record: &Record) -> Option<Announcer> {
    let IpAddr::V4(address) = record.address else { return None };
    if address.is_loopback() {
        return None;
    }
    let (name, _) = service.onboarding.invitation_of(&record.class_id).await.ok()?;
    match class_discovery::announce(&name, SocketAddrV4::new(address, record.port)) {
        Ok(announcer) => Some(announcer),
        Err(e) => {
            tracing::warn!(error = %e, "class: not announced on the network");
            None
        }
    }
}

/// The hosted class's secrets in the app's keychain.
struct KeychainRoomSecrets(Arc<dyn SecretStore>);

/// A room secret's entry in the keychain.
pub fn keychain_entry(secret: RoomSecret) -> String {
    format!("hosted-class:{}", secret.name())
}

impl RoomSecrets for KeychainRoomSecrets {
    fn get(&self, secret: RoomSecret) -> anyhow::Result<Option<SecretString>> {
        Ok(self.0.get(&keychain_entry(secret))?)
    }

    fn set(&self, secret: RoomSecret, value: &SecretString) -> anyhow::Result<()> {
        Ok(self.0.set(&keychain_entry(secret), value)?)
    }
}

/// 研修を開く, for the app.
pub struct ClassHosting {
    /// The app's `hosted-class` folder.
    root: PathBuf,
    secrets: KeychainRoomSecrets,
    clock: SharedClock,
    /// The port tried first (tests use 0: the system's choice).
    port: u16,
    serving: tokio::sync::Mutex<Option<Serving>>,
    /// Whether a class is served now, for the window's close button (which
    /// cannot wait for the lock).
    serving_now: AtomicBool,
}

impl ClassHosting {
    pub fn new(root: PathBuf, secrets: Arc<dyn SecretStore>) -> ClassHosting {
        ClassHosting {
            root,
            secrets: KeychainRoomSecrets(secrets),
            clock: Arc::new(SystemClock),
            port: CLASS_PORT,
            serving: Default::default(),
            serving_now: AtomicBool::new(false),
        }
    }

    /// The same with the port tried first (0: the system's choice).
    pub fn with_port(mut self, port: u16) -> ClassHosting {
        self.port = port;
        self
    }

    /// Whether this PC serves a class now.
    pub fn is_serving(&self) -> bool {
        self.serving_now.load(Ordering::Relaxed)
    }

    fn record_path(&self) -> PathBuf {
        self.root.join("class.json")
    }

    fn class_dir(&self) -> PathBuf {
        self.root.join("class")
    }

    /// Opens a class and serves it on the chosen network.
    pub async fn open(&self, opening: &ClassOpening) -> AppResult<HostedClass> {
        let mut serving = self.serving.lock().await;
        if self.running(&mut serving).await?.is_some() {
            return Err(AppError::new(ErrorCode::ClassAlreadyOpen));
        }
        if !(opening.hours.is_finite() && opening.hours > 0.0 && opening.hours <= 24.0 * 366.0) {
            return Err(AppError::field(ErrorCode::ClassEndInvalid, FormField::Hours));
        }
        // A choice made before the PC moved to another network is refused.
        if !opening.address.is_loopback() && !class_network::is_offered(&class_network::this_pcs_class_networks(), opening.address) {
            return Err(AppError::field(ErrorCode::ClassNetworkUnavailable, FormField::Address));
        }
        let now = self.clock.now();
        let request = ClassRequest {
            name: opening.name.clone(),
            seats: opening.seats,
            ends_at: now + time::Duration::seconds_f64(opening.hours * 3600.0),
        };
        let settings = self.settings(opening.address, self.port);
        // The rules first, so that a refusal makes nothing and touches
        // neither the folder nor the keychain; then anything half made by
        // a failure is deleted.
        kaigo_domain::ClassName::parse(&request.name).map_err(|c| AppError::field(c, FormField::Name))?;
        kaigo_domain::class::ClassPolicy::default()
            .check_class(request.seats, request.ends_at, now)
            .map_err(|c| AppError::field(c, if c == ErrorCode::ClassSeatsInvalid { FormField::Seats } else { FormField::Hours }))?;
        // A class left half made (a crash while opening) is no class.
        self.forget().await?;
        let opened = host::open(&settings, &self.secrets, &request, now).await;
        if opened.is_err() {
            self.forget_logged().await;
        }
        let (room, opened) = opened.map_err(opening_refused)?;
        drop(room);
        // The link's secret is not kept (dropped here): the app's windows
        // get one-time tickets.
        let record =
            Record { class_id: opened.id, address: opening.address, port: self.port, ends_at: request.ends_at, seats: request.seats };
        let started = match self.serve(&record).await {
            Ok(s) => s,
            Err(e) => {
                self.forget_logged().await;
                return Err(e);
            }
        };
        let view = self.view(&started).await?;
        *serving = Some(started);
        self.serving_now.store(true, Ordering::Relaxed);
        tracing::info!(seats = opening.seats, "class opened");
        Ok(view)
    }

    /// The class this PC serves, if any: resumed from its record after a
    /// restart; one that has ended is deleted with all of it.
    pub async fn current(&self) -> AppResult<Option<HostedClass>> {
        let mut serving = self.serving.lock().await;
        match self.running(&mut serving).await? {
            Some(s) => Ok(Some(self.view(s).await?)),
            None => Ok(None),
        }
    }

    /// A one-time address of a trainer's page for a window of the app.
    pub async fn trainer_url(&self, page: TrainerPage) -> AppResult<String> {
        let mut serving = self.serving.lock().await;
        let (s, trainer) = self.trainers_side(&mut serving).await?;
        let ticket = s.service.onboarding.trainer_ticket(&s.record.class_id).await.map_err(|e| AppError::new(e.code()))?;
        Ok(format!("http://{trainer}/trainer/sign-in?ticket={}&next={}", ticket.expose_secret(), page.next()))
    }

    /// The address of a trainer's page without signing in: for a second
    /// window while another is open. The windows share one cookie store,
    /// and a new sign-in would replace the session whose token the open
    /// window's page holds.
    pub async fn trainer_page_url(&self, page: TrainerPage) -> AppResult<String> {
        let mut serving = self.serving.lock().await;
        let (_, trainer) = self.trainers_side(&mut serving).await?;
        Ok(format!("http://{trainer}{}", page.path()))
    }

    /// The running class and its trainer's pages' address (loopback).
    async fn trainers_side<'a>(&self, serving: &'a mut Option<Serving>) -> AppResult<(&'a Serving, SocketAddr)> {
        let s = self.running(serving).await?.ok_or_else(|| AppError::new(ErrorCode::ClassClosed))?;
        let trainer = s.service.trainer_addr.ok_or_else(|| AppError::internal("the class is served without the trainer's pages"))?;
        Ok((s, trainer))
    }

    /// Stops serving (the app closes); the class resumes on the next start.
    pub async fn stop(&self) {
        if let Some(s) = self.serving.lock().await.take() {
            s.end().await;
        }
        self.serving_now.store(false, Ordering::Relaxed);
    }

    /// The running class: the one served, or the recorded one started
    /// again. Over or closed, everything of it is deleted.
    async fn running<'a>(&self, serving: &'a mut Option<Serving>) -> AppResult<Option<&'a Serving>> {
        if serving.is_none() {
            let Some(record) = self.read_record()? else { return Ok(None) };
            if self.clock.now() >= record.ends_at {
                self.forget().await?;
                return Ok(None);
            }
            match self.serve(&record).await {
                Ok(s) => {
                    *serving = Some(s);
                    self.serving_now.store(true, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::warn!(code = e.code().as_str(), "the class could not be served again");
                    // Without its keys it never can: it goes, and the
                    // trainer is told (another error may pass: it stays).
                    if e.code() == ErrorCode::ClassSecretsLost {
                        self.forget_logged().await;
                    }
                    return Err(e);
                }
            }
        }
        let still = match serving.as_ref() {
            Some(s) => s.service.onboarding.class_running(&s.record.class_id).await.map_err(|e| AppError::new(e.code()))?,
            None => false,
        };
        if !still {
            if let Some(s) = serving.take() {
                s.end().await;
            }
            self.serving_now.store(false, Ordering::Relaxed);
            self.forget().await?;
            return Ok(None);
        }
        Ok(serving.as_ref())
    }

    fn settings(&self, address: IpAddr, port: u16) -> HostSettings {
        HostSettings {
            dir: self.class_dir(),
            listen: SocketAddr::new(address, port),
            hosts: vec![address.to_string()],
            trainer_listen: Some(SocketAddr::new(class_network::THIS_PC_ONLY, 0)),
            database: None,
            public_url: None,
        }
    }

    /// Serves the recorded class on its address: its port when free (the
    /// address attendees typed stays right), else one the system chooses.
    async fn serve(&self, record: &Record) -> AppResult<Serving> {
        let room =
            room::prepare(&self.class_dir(), &self.secrets, &[record.address.to_string()], self.clock.now(), room::Preparing::Resuming)
                .map_err(|e| match e.downcast_ref::<room::SecretsLost>() {
                    Some(lost) => {
                        tracing::warn!(error = %lost, "class: cannot go on");
                        AppError::new(ErrorCode::ClassSecretsLost)
                    }
                    None => e.downcast::<AppError>().unwrap_or_else(AppError::internal),
                })?;
        let built = match host::build(&self.settings(record.address, record.port), &room, self.clock.clone()).await {
            Err(e) if record.port != 0 => {
                tracing::warn!(error = %e, port = record.port, "class: its port is taken");
                host::build(&self.settings(record.address, 0), &room, self.clock.clone()).await
            }
            built => built,
        };
        let app = built.map_err(|e| {
            tracing::warn!(error = %e, "class: cannot listen");
            AppError::field(ErrorCode::ClassNetworkUnavailable, FormField::Address)
        })?;
        let record = Record { port: app.port(), ..record.clone() };
        std::fs::create_dir_all(&self.root)?;
        write_atomic(&self.record_path(), &serde_json::to_vec(&record).map_err(AppError::internal)?)?;
        let service = app.spawn();
        let announced = announce(&service, &record).await;
        Ok(Serving { service, record, announced })
    }

    async fn view(&self, s: &Serving) -> AppResult<HostedClass> {
        let ob = &s.service.onboarding;
        let (name, invitation) = ob.invitation_of(&s.record.class_id).await.map_err(|e| AppError::new(e.code()))?;
        Ok(HostedClass {
            name,
            seats: s.record.seats,
            ends_at: s.record.ends_at,
            service_url: invitation.service_url,
            join_code: invitation.join_code,
            short_pin: invitation.short_pin,
            join_link: invitation.join_link,
            announced: s.announced.is_some(),
        })
    }

    fn read_record(&self) -> AppResult<Option<Record>> {
        match std::fs::read(self.record_path()) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Self::forget`] after a failure: what the trainer is told is that
    /// failure, not a second one while cleaning up (logged; the next
    /// opening forgets again first).
    async fn forget_logged(&self) {
        if let Err(e) = self.forget().await {
            tracing::warn!(code = e.code().as_str(), "class: not all of it deleted yet");
        }
    }

    /// Deletes everything of the class: its secrets in the keychain, its
    /// folder (the CA's certificate, the database), its record — in that
    /// order, so that while a folder or record is there its secrets may be
    /// too, and with neither there is nothing to delete (the keychain is
    /// not asked: it may be slow to answer, or locked).
    async fn forget(&self) -> AppResult<()> {
        if !self.record_path().exists() && !self.class_dir().exists() {
            return Ok(());
        }
        for secret in RoomSecret::ALL {
            self.secrets.0.delete(&keychain_entry(secret))?;
        }
        remove_if_there(&self.class_dir(), true).await?;
        remove_if_there(&self.record_path(), false).await?;
        Ok(())
    }
}

/// Why a class was not opened, for the window: the rule broken and its
/// field, the keychain's trouble as such, anything else internal.
fn opening_refused(e: anyhow::Error) -> AppError {
    if let Some(&ClassRefused(code)) = e.downcast_ref::<ClassRefused>() {
        let field = match code {
            ErrorCode::ClassNameInvalid => FormField::Name,
            ErrorCode::ClassSeatsInvalid => FormField::Seats,
            _ => FormField::Hours,
        };
        return AppError::field(code, field);
    }
    e.downcast::<AppError>().unwrap_or_else(AppError::internal)
}

/// Removes a file or folder, trying again for a moment: on Windows a file
/// just closed may still be held (a virus scanner reading it).
async fn remove_if_there(path: &Path, folder: bool) -> std::io::Result<()> {
    let mut tries = 0;
    loop {
        let removed = if folder { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
        match removed {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) if tries < 20 => {
                tracing::debug!(error = %e, path = %path.display(), "not removed yet");
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
}
