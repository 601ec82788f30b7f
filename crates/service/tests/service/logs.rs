//! The log never carries what was sent: a secret typed into the wrong JSON
//! type is quoted by the deserialiser's message, which must not reach a
//! log line even at the most verbose level.

use crate::harness::*;
use std::time::Duration;
use tokio::io::AsyncReadExt as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrongly_typed_secret_is_refused_without_reaching_the_log_at_trace_level() {
    let pki = TestPki::new();
    let (dir, database, office) = service_folder(&pki, 5).await;
    let mut service = start_service_process_logging(dir.path(), &database, &["--practice-mailbox"], "trace").await;
    // Drained while the test runs: at trace level a full pipe would stall
    // the service.
    let mut stderr = service.child.stderr.take().unwrap();
    let log = tokio::spawn(async move {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log).await;
        log
    });
    let http = plain_https(&pki.ca_pem, Some(&office.cert));
    let url = |path: &str| format!("{}{path}", service.url);

    // Each one a secret in a place serde would quote it from.
    let secrets = ["987654321", "1357924680", "Typed-Secret-7", "looked-up@example.jp"];
    let requests = [
        // A password typed as a number …
        (url("/v1/office/login"), format!(r#"{{"electronic_billing_id":"{}","password":987654321}}"#, office.kj)),
        // … a one-time code as a number …
        (url("/v1/office/login/00000000-0000-0000-0000-000000000000/verify"), r#"{"code":1357924680}"#.to_owned()),
        // … and a string where an enumeration is expected.
        (url("/v1/user/login/00000000-0000-0000-0000-000000000000/send"), r#"{"channel":"Typed-Secret-7"}"#.to_owned()),
    ];
    for (to, body) in requests {
        let resp = http.post(&to).header("content-type", "application/json").body(body).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{to}");
        let answer = resp.text().await.unwrap();
        assert!(answer.contains("\"code\":\"invalid_request\""), "{answer}");
        assert!(secrets.iter().all(|s| !answer.contains(s)), "the answer quotes the request: {answer}");
    }

    // A mail address looked up in the practice mailbox: a query string is
    // not logged either.
    let resp = http.get(url("/v1/practice/mailbox?recipient=looked-up@example.jp")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    service.child.start_kill().unwrap();
    service.child.wait().await.unwrap();
    let log = tokio::time::timeout(Duration::from_secs(10), log).await.unwrap().unwrap();
    assert_eq!(log.matches("unreadable request body").count(), 3, "the refusals were logged at trace level:\n{log}");
    assert!(log.contains("/v1/practice/mailbox"), "requests are logged by their path:\n{log}");
    for s in secrets {
        assert!(!log.contains(s), "{s} reached the log:\n{log}");
    }
}
