#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! A class's address that answers nothing, or refuses: told apart, so that
//! the attendee's app can say which case it is and what to tell the trainer.
//! Everything stays on loopback.

use kaigo_client::class::fetch_class_authority;
use kaigo_client::Unreached;
use kaigo_domain::class::CaPin;

fn any_pin() -> CaPin {
    CaPin::Full([7; 32])
}

#[tokio::test]
async fn a_port_where_nothing_listens_is_refused() {
    // A port the system gave and took back: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = fetch_class_authority(&format!("https://127.0.0.1:{port}"), &any_pin()).await.unwrap_err();
    assert_eq!(e.unreached(), Some(Unreached::Refused), "{e}");
}

#[tokio::test]
async fn a_listener_that_takes_no_one_in_gives_no_answer() {
    // A socket whose queue of connections is full drops new ones without a
    // word, as a firewall does: the connection waits until its time is up.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let at = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(c)) = tokio::time::timeout(std::time::Duration::from_millis(300), tokio::net::TcpStream::connect(at)).await {
            held.push(c);
        }
    }
    let e = fetch_class_authority(&format!("https://{at}"), &any_pin()).await.unwrap_err();
    assert_eq!(e.unreached(), Some(Unreached::NoAnswer), "{e}");
    drop((listener, held));
}
