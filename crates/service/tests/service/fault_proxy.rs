//! A TCP proxy that puts faults between the service and a server it
//! depends on (PostgreSQL, the SMTP server): connections refused, reset in
//! the middle, stalled, slowed, or — for SMTP — the server's answer to a
//! mail it has taken lost on its way back, the fault that makes a sender
//! send the same mail twice.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What happens to one connection (several faults may meet on one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fault {
    /// Taken, then closed at once with a reset.
    pub refuse: bool,
    /// Reset once this many bytes have passed, either way.
    pub reset_after: Option<usize>,
    /// Every chunk waits this long.
    pub latency: Option<Duration>,
    /// Nothing passes for this long, once, at the first chunk.
    pub stall: Option<Duration>,
    /// SMTP: the client's mail goes through (`<CRLF>.<CRLF>`), the server's
    /// answer to it never comes back — the connection is reset instead.
    pub lose_reply_after_data: bool,
}

impl Fault {
    pub const PASS: Fault = Fault { refuse: false, reset_after: None, latency: None, stall: None, lose_reply_after_data: false };

    fn is_fault(&self) -> bool {
        *self != Fault::PASS
    }
}

/// Faults for every connection from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Pass,
    /// New connections refused; those open go on.
    RefuseNew,
    /// Nothing passes on any connection, new or open, until the mode changes.
    Stall,
}

type Chooser = Box<dyn FnMut() -> Fault + Send>;

struct Shared {
    target: SocketAddr,
    mode: watch::Sender<Mode>,
    chooser: Mutex<Option<Chooser>>,
    /// Per open connection: its reset switch.
    live: Mutex<Vec<watch::Sender<bool>>>,
    pub connections: AtomicUsize,
    pub faults: AtomicUsize,
    /// Open connections cut by `reset_all`.
    pub resets: AtomicUsize,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.reset_all();
    }
}

impl FaultProxy {
    pub async fn start(target: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            target,
            mode: watch::channel(Mode::Pass).0,
            chooser: Mutex::new(None),
            live: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            faults: AtomicUsize::new(0),
            resets: AtomicUsize::new(0),
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let _ = conn.set_nodelay(true);
                let s = s.clone();
                tokio::spawn(async move { s.serve(conn).await });
            }
        });
        FaultProxy { addr, shared, task }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.shared.mode.send_replace(mode);
    }

    /// Each new connection gets the fault `choose` gives it.
    pub fn set_chooser(&self, choose: impl FnMut() -> Fault + Send + 'static) {
        *self.shared.chooser.lock().unwrap() = Some(Box::new(choose));
    }

    /// Every open connection reset now (a server crash, a cable pulled).
    pub fn reset_all(&self) {
        for reset in self.shared.live.lock().unwrap().drain(..) {
            if reset.send(true).is_ok() {
                self.shared.resets.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Open connections cut by [`FaultProxy::reset_all`] so far.
    pub fn resets(&self) -> usize {
        self.shared.resets.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Relaxed)
    }

    pub fn faults(&self) -> usize {
        self.shared.faults.load(Ordering::Relaxed)
    }
}

/// Drops a stream with a TCP reset rather than a clean close. (A linger
/// of zero never blocks, the deprecation's concern.)
#[allow(deprecated)]
fn reset(stream: TcpStream) {
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

impl Shared {
    async fn serve(self: Arc<Self>, client: TcpStream) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        let fault = self.chooser.lock().unwrap().as_mut().map_or(Fault::PASS, |choose| choose());
        if fault.is_fault() {
            self.faults.fetch_add(1, Ordering::Relaxed);
        }
        if fault.refuse || *self.mode.borrow() == Mode::RefuseNew {
            return reset(client);
        }
        let Ok(server) = TcpStream::connect(self.target).await else { return reset(client) };
        let _ = server.set_nodelay(true);
        let (reset_tx, mut reset_rx) = watch::channel(false);
        self.live.lock().unwrap().push(reset_tx);
        let passed = AtomicUsize::new(0);
        let data_sent = AtomicBool::new(false);
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        let up = self.pump(&mut client_read, &mut server_write, fault, &passed, &data_sent, true);
        let down = self.pump(&mut server_read, &mut client_write, fault, &passed, &data_sent, false);
        tokio::select! {
            _ = up => {}
            _ = down => {}
            _ = reset_rx.wait_for(|r| *r) => {}
        }
        if let (Ok(c), Ok(s)) = (client_read.reunite(client_write), server_read.reunite(server_write)) {
            reset(c);
            reset(s);
        }
    }

    /// Copies one way until either side closes or the fault ends it.
    async fn pump(
        &self, from: &mut tokio::net::tcp::OwnedReadHalf, to: &mut tokio::net::tcp::OwnedWriteHalf, fault: Fault, passed: &AtomicUsize,
        data_sent: &AtomicBool, to_server: bool,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        let mut tail: Vec<u8> = Vec::new();
        let mut stalled_once = false;
        let mut mode = self.mode.subscribe();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if mode.wait_for(|m| *m != Mode::Stall).await.is_err() {
                return;
            }
            if let Some(d) = fault.stall.filter(|_| !stalled_once) {
                stalled_once = true;
                tokio::time::sleep(d).await;
            }
            if let Some(d) = fault.latency {
                tokio::time::sleep(d).await;
            }
            if fault.reset_after.is_some_and(|limit| passed.fetch_add(n, Ordering::Relaxed) + n > limit) {
                return;
            }
            if fault.lose_reply_after_data {
                if to_server {
                    tail.extend_from_slice(&buf[..n]);
                    if tail.windows(5).any(|w| w == b"\r\n.\r\n") {
                        data_sent.store(true, Ordering::Relaxed);
                    }
                    let keep = tail.len().saturating_sub(4);
                    tail.drain(..keep);
                } else if data_sent.load(Ordering::Relaxed) {
                    return;
                }
            }
            if to.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    }
}
