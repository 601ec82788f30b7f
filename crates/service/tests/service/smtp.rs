//! A real SMTP server on loopback (mailin-embedded) that keeps what it
//! receives, and can be told to answer "451 try again later" to every mail,
//! as a mail server does while it is overloaded or being restarted.

use mailin_embedded::{response, Handler, Response, Server};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn subject(&self) -> String {
        mail_parser::MessageParser::default().parse(&self.raw).and_then(|m| m.subject().map(str::to_owned)).unwrap_or_default()
    }

    pub fn text(&self) -> String {
        mail_parser::MessageParser::default().parse(&self.raw).and_then(|m| m.body_text(0).map(|t| t.into_owned())).unwrap_or_default()
    }
}

#[derive(Default)]
struct State {
    accepting: bool,
    received: Vec<Received>,
    refused: usize,
}

#[derive(Clone)]
struct Capture {
    state: Arc<Mutex<State>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Capture {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, _from: &str) -> Response {
        let mut s = self.state.lock().unwrap();
        if s.accepting {
            response::OK
        } else {
            s.refused += 1;
            response::INTERNAL_ERROR
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let msg = Received { to: std::mem::take(&mut self.to), raw: std::mem::take(&mut self.data) };
        self.state.lock().unwrap().received.push(msg);
        response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State { accepting: true, ..State::default() }));
        let handler = Capture { state: state.clone(), to: vec![], data: vec![] };
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            server.with_name("smtp.test").with_num_threads(2).with_tcp_listener(listener);
            let _ = server.serve();
        });
        SmtpServer { port, state }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn set_accepting(&self, accepting: bool) {
        self.state.lock().unwrap().accepting = accepting;
    }

    pub fn refused(&self) -> usize {
        self.state.lock().unwrap().refused
    }

    pub fn to(&self, recipient: &str) -> Vec<Received> {
        let needle = format!("<{recipient}>");
        self.state.lock().unwrap().received.iter().filter(|m| m.to.iter().any(|t| t == recipient || t.contains(&needle))).cloned().collect()
    }

    /// Waits until `recipient` has at least `n` messages.
    pub async fn wait_for(&self, recipient: &str, n: usize, timeout: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.to(recipient);
            if got.len() >= n || start.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
