//! The two ways a publisher's real code-signing certificate plugs into the
//! build (scripts/signing/sign-pe.sh), with nothing but the environment
//! changed: a PFX file, and a key that never leaves a PKCS#11 token (what
//! CAs issue since 2023; SoftHSM2 stands in for the token or HSM), each
//! timestamped by a time-stamping service over HTTP as a CA's is (OpenSSL's
//! RFC 3161 responder behind a small HTTP server of the test). The run's
//! own test CA (scripts/signing/test-ca.sh) issues the certificates.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PKCS11_ENGINE: &str = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so";
const TOKEN_PIN: &str = "246810";
/// The variables sign-pe.sh reads: each run below sets its own.
const SIGNING_VARIABLES: [&str; 10] = [
    "KAIGO_SIGN_PFX",
    "KAIGO_SIGN_PFX_PASSWORD",
    "KAIGO_SIGN_PKCS11_MODULE",
    "KAIGO_SIGN_PKCS11_KEY",
    "KAIGO_SIGN_CERTS",
    "KAIGO_SIGN_PKCS11_PIN",
    "KAIGO_SIGN_PKCS11_ENGINE",
    "KAIGO_SIGN_TIMESTAMP_URL",
    "KAIGO_SIGN_TEST_CA_DIR",
    "KAIGO_SIGN_DESCRIPTION",
];

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// What the test needs is there; outside the full suite a missing part skips it.
fn tools_present() -> bool {
    let missing: Vec<&str> = [
        ("osslsigncode", Path::new("/usr/bin/osslsigncode")),
        ("softhsm2", Path::new(SOFTHSM_MODULE)),
        ("libengine-pkcs11-openssl", Path::new(PKCS11_ENGINE)),
        ("gcc-mingw-w64-x86-64", Path::new("/usr/bin/x86_64-w64-mingw32-gcc")),
    ]
    .into_iter()
    .filter(|(_, path)| !path.exists())
    .map(|(package, _)| package)
    .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(std::env::var_os("KAIGO_FULL_SUITE").is_none(), "missing {missing:?} (scripts/setup-tests.sh installs them)");
    eprintln!("missing {missing:?}: signing test skipped (scripts/setup-tests.sh installs them)");
    false
}

fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(out.status.success(), "{command:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

/// A time-stamping service on loopback: each request's RFC 3161 query
/// answered by `openssl ts -reply` with the test CA's TSA certificate.
/// Returns its address and how many stamps it has given.
fn time_stamping_service(ca: &Path) -> (String, Arc<AtomicUsize>) {
    std::fs::write(ca.join("tsa-serial"), "01\n").unwrap();
    std::fs::write(
        ca.join("tsa.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = this\n[ this ]\nserial = {dir}/tsa-serial\nsigner_digest = sha256\n\
             default_policy = 1.3.6.1.4.1.99999.1\ndigests = sha1, sha256, sha384, sha512\naccuracy = secs:1\n\
             ess_cert_id_alg = sha256\n",
            dir = ca.display()
        ),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let stamps = Arc::new(AtomicUsize::new(0));
    let (ca, given) = (ca.to_owned(), stamps.clone());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut query = vec![0; length];
            if reader.read_exact(&mut query).is_err() {
                continue;
            }
            let (query_file, reply_file) = (ca.join(format!("q{n}.tsq")), ca.join(format!("r{n}.tsr")));
            std::fs::write(&query_file, &query).unwrap();
            let made = Command::new("openssl")
                .args(["ts", "-reply", "-config"])
                .arg(ca.join("tsa.cnf"))
                .arg("-queryfile")
                .arg(&query_file)
                .arg("-signer")
                .arg(ca.join("tsa.pem"))
                .arg("-inkey")
                .arg(ca.join("tsa.key"))
                .arg("-chain")
                .arg(ca.join("ca.pem"))
                .arg("-out")
                .arg(&reply_file)
                .output()
                .unwrap();
            let mut stream = reader.into_inner();
            let body = std::fs::read(&reply_file).unwrap_or_default();
            let stamped = made.status.success() && !body.is_empty();
            if stamped {
                given.fetch_add(1, Ordering::SeqCst);
            }
            let head = if stamped { "200 OK" } else { "500 Internal Server Error" };
            let _ = write!(
                stream,
                "HTTP/1.1 {head}\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (url, stamps)
}

/// sign-pe.sh on `file` with `env` (and no other signing variable).
fn sign(file: &Path, env: &[(&str, String)]) -> Output {
    let mut command = Command::new(repo().join("scripts/signing/sign-pe.sh"));
    for var in SIGNING_VARIABLES {
        command.env_remove(var);
    }
    // The time stamp is asked of a service on loopback: never through a proxy.
    for var in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        command.env_remove(var);
    }
    command.envs(env.iter().map(|(k, v)| (*k, v.as_str()))).arg(file);
    command.output().unwrap()
}

#[test]
fn a_real_certificate_signs_from_a_pfx_file_or_a_pkcs11_token_with_a_timestamp_over_http() {
    if !tools_present() {
        return;
    }
    let work = std::env::temp_dir().join(format!("kaigo-signing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let ca = work.join("ca");
    run(Command::new(repo().join("scripts/signing/test-ca.sh")).arg(&ca));
    let root = ca.join("ca.pem");

    // A small Windows program to sign.
    std::fs::write(work.join("hello.c"), "int main(void) { return 0; }\n").unwrap();
    run(Command::new("x86_64-w64-mingw32-gcc").arg(work.join("hello.c")).arg("-o").arg(work.join("hello.exe")));
    let program = |name: &str| {
        let copy = work.join(name);
        std::fs::copy(work.join("hello.exe"), &copy).unwrap();
        copy
    };
    let (tsa_url, stamps) = time_stamping_service(&ca);

    // A PFX file and its password.
    let by_pfx = program("by-pfx.exe");
    let password = std::fs::read_to_string(ca.join("signer.pass")).unwrap().trim().to_owned();
    let signed = sign(
        &by_pfx,
        &[
            ("KAIGO_SIGN_PFX", ca.join("signer.pfx").display().to_string()),
            ("KAIGO_SIGN_PFX_PASSWORD", password),
            ("KAIGO_SIGN_TIMESTAMP_URL", tsa_url.clone()),
        ],
    );
    assert!(signed.status.success(), "PFX signing: {}", String::from_utf8_lossy(&signed.stderr));
    let said = kaigo_packaging::verify_authenticode(&by_pfx, &root).unwrap_or_else(|e| panic!("PFX-signed program: {e}"));
    assert!(said.contains("Kaigo Onboard (test signature)"), "{said}");
    assert_eq!(stamps.load(Ordering::SeqCst), 1, "the PFX signature was timestamped by the service over HTTP");

    // The same certificate without a timestamp: a signature that dies with
    // the certificate, which the check must refuse.
    let unstamped = program("unstamped.exe");
    run(Command::new("osslsigncode")
        .args(["sign", "-h", "sha256", "-pkcs12"])
        .arg(ca.join("signer.pfx"))
        .arg("-readpass")
        .arg(ca.join("signer.pass"))
        .arg("-in")
        .arg(&unstamped)
        .arg("-out")
        .arg(work.join("unstamped-signed.exe")));
    let refused =
        kaigo_packaging::verify_authenticode(&work.join("unstamped-signed.exe"), &root).expect_err("a signature without a timestamp");
    assert!(refused.contains("no verified RFC 3161 timestamp"), "{refused}");

    // The same certificate's key inside a PKCS#11 token, never in a file.
    let conf = work.join("softhsm2.conf");
    std::fs::create_dir_all(work.join("tokens")).unwrap();
    std::fs::write(&conf, format!("directories.tokendir = {}\nobjectstore.backend = file\n", work.join("tokens").display())).unwrap();
    let softhsm = |args: &[&str]| {
        run(Command::new("softhsm2-util").env("SOFTHSM2_CONF", &conf).args(args));
    };
    softhsm(&["--init-token", "--free", "--label", "kaigo-signing", "--pin", TOKEN_PIN, "--so-pin", "13579111"]);
    let key = ca.join("signer.key").display().to_string();
    softhsm(&["--import", &key, "--token", "kaigo-signing", "--label", "signer", "--id", "01", "--pin", TOKEN_PIN]);
    std::fs::remove_file(ca.join("signer.key")).unwrap();
    std::fs::remove_file(ca.join("signer.pfx")).unwrap();
    let chain = work.join("chain.pem");
    std::fs::write(&chain, std::fs::read_to_string(ca.join("signer.pem")).unwrap() + &std::fs::read_to_string(&root).unwrap()).unwrap();
    let token = |pin: &str| {
        vec![
            ("SOFTHSM2_CONF", conf.display().to_string()),
            ("KAIGO_SIGN_PKCS11_MODULE", SOFTHSM_MODULE.to_owned()),
            ("KAIGO_SIGN_PKCS11_KEY", "pkcs11:token=kaigo-signing;object=signer;type=private".to_owned()),
            ("KAIGO_SIGN_CERTS", chain.display().to_string()),
            ("KAIGO_SIGN_PKCS11_PIN", pin.to_owned()),
            ("KAIGO_SIGN_TIMESTAMP_URL", tsa_url.clone()),
        ]
    };

    // A wrong PIN signs nothing and leaves the program as it was.
    let wrong = program("wrong-pin.exe");
    let refused = sign(&wrong, &token("000000"));
    assert!(!refused.status.success(), "a wrong PIN must not sign");
    assert_eq!(std::fs::read(&wrong).unwrap(), std::fs::read(work.join("hello.exe")).unwrap(), "the program is left as it was");
    assert!(kaigo_packaging::verify_authenticode(&wrong, &root).is_err());

    let by_token = program("by-token.exe");
    let signed = sign(&by_token, &token(TOKEN_PIN));
    assert!(signed.status.success(), "PKCS#11 signing: {}", String::from_utf8_lossy(&signed.stderr));
    let said = kaigo_packaging::verify_authenticode(&by_token, &root).unwrap_or_else(|e| panic!("token-signed program: {e}"));
    assert!(said.contains("Kaigo Onboard (test signature)"), "{said}");
    assert_eq!(stamps.load(Ordering::SeqCst), 2, "the token's signature was timestamped by the service over HTTP");

    // One changed byte after signing is found.
    let mut bytes = std::fs::read(&by_token).unwrap();
    let middle = std::fs::metadata(work.join("hello.exe")).unwrap().len() as usize / 2;
    bytes[middle] ^= 1;
    std::fs::write(&by_token, bytes).unwrap();
    assert!(kaigo_packaging::verify_authenticode(&by_token, &root).is_err(), "one changed byte must fail the check");
    std::fs::remove_dir_all(&work).unwrap();
}
