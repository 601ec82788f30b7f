//! Literal port numbers in the house's scripts and tests, and the rule that
//! none lies in the kernel's ephemeral range.

use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Linux's default range for outgoing connections' local ports
/// (`net.ipv4.ip_local_port_range`): never bind a fixed port in it.
pub const EPHEMERAL: std::ops::RangeInclusive<u16> = 32768..=60999;

/// One literal port number in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralPort {
    pub file: PathBuf,
    pub line: usize,
    pub port: u16,
    pub text: String,
}

impl LiteralPort {
    pub fn is_ephemeral(&self) -> bool {
        EPHEMERAL.contains(&self.port)
    }
}

/// Where a number is a port: after a host and a colon (`127.0.0.1:5432`,
/// `localhost:4444`, `[::1]:8080`, vpcd's `/dev/null:N`), after a word
/// naming a port (`--port 4444`, `PGPORT=5432`, `"port": 8080`,
/// `DB_PORT:-5432`, `.port(9000)`), after PostgreSQL's `-p`, or as
/// the port of an address built from parts (`([127, 0, 0, 1], 9000)`,
/// `("127.0.0.1", 9000)`).
static PORT_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\]|/dev/null|0\.0\.0\.0):(\d{1,5})\b",
        r"(?i)port\w*(?:\s*[=:(]\s*|\s+|[\x22']\s*[,:]\s*|:-)[\x22']?(\d{1,5})\b",
        r"(?:^|[\s\x22'])-p\s*(\d{4,5})\b",
        r"\[\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\]\s*,\s*(\d{1,5})\b",
        r"\x22\d{1,3}(?:\.\d{1,3}){3}\x22\s*,\s*(\d{1,5})\b",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("a valid pattern"))
    .collect()
});

/// The literal ports of one file's text, in line order.
pub fn literal_ports(file: &Path, text: &str) -> Vec<LiteralPort> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut ports: Vec<u16> = PORT_PATTERNS
            .iter()
            .flat_map(|p| p.captures_iter(line).filter_map(|c| c.get(1)?.as_str().parse().ok()).collect::<Vec<u16>>())
            .filter(|&port| port != 0)
            .collect();
        ports.sort_unstable();
        ports.dedup();
        found.extend(ports.into_iter().map(|port| LiteralPort {
            file: file.to_owned(),
            line: index + 1,
            port,
            text: line.trim().to_owned(),
        }));
    }
    found
}

/// Every literal port under `root`'s searched folders.
pub fn literal_ports_under(root: &Path) -> Vec<LiteralPort> {
    crate::house_files(root).iter().flat_map(|(path, text)| literal_ports(path, text)).collect()
}

/// A path as the repository writes it, `/` between folders on every system.
fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The check's message: every fixed port found in the range, where.
pub fn ephemeral_report(found: &[LiteralPort]) -> Option<String> {
    let bad: Vec<String> = found
        .iter()
        .filter(|p| p.is_ephemeral())
        .map(|p| format!("  {}:{}: port {} ({})", slashed(&p.file), p.line, p.port, p.text))
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "fixed ports in the kernel's range for outgoing connections ({}–{}): any outgoing connection may hold one \
             when it is bound. Let the kernel choose (port 0, free_port in scripts/lib.sh) or use a Unix socket:\n{}",
            EPHEMERAL.start(),
            EPHEMERAL.end(),
            bad.join("\n")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn ports_of(text: &str) -> Vec<u16> {
        literal_ports(Path::new("x.sh"), text).into_iter().map(|p| p.port).collect()
    }

    /// The fixed port the examples spoil scripts with, written into them
    /// where `PPPPP` stands, so that no scan of this file (this check's own,
    /// or another's) takes it for a port bound here.
    const SPOILT: u16 = 55_432;

    fn spoilt(template: &str) -> String {
        template.replace("PPPPP", &SPOILT.to_string())
    }

    #[test]
    fn no_script_or_test_binds_a_fixed_port_in_the_ephemeral_range() {
        let found = literal_ports_under(&repo());
        for p in &found {
            eprintln!("literal port {} at {}:{}", p.port, p.file.display(), p.line);
        }
        if let Some(report) = ephemeral_report(&found) {
            panic!("{report}");
        }
    }

    #[test]
    fn a_fixed_ephemeral_port_added_to_a_script_fails_the_check() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("scripts")).unwrap();
        let clean = "#!/usr/bin/env bash\nport=\"$(free_port)\"\npg_ctl -o \"-p $port -k $DATA\" start\nopenssl req -days 36500\n";
        std::fs::write(root.path().join("scripts/db.sh"), clean).unwrap();
        assert_eq!(ephemeral_report(&literal_ports_under(root.path())), None, "a port the kernel chose is no literal");

        std::fs::write(root.path().join("scripts/db.sh"), spoilt(&format!("{clean}PGPORT=\"${{DB_PORT:-PPPPP}}\"\n"))).unwrap();
        let report = ephemeral_report(&literal_ports_under(root.path())).expect("the fixed port is found");
        assert!(report.contains(&spoilt("scripts/db.sh:5: port PPPPP")), "{report}");
    }

    #[test]
    fn ports_are_read_after_hosts_port_words_and_in_built_addresses() {
        for example in [
            "postgres://postgres@127.0.0.1:PPPPP/postgres",
            "PORT=PPPPP # 0x9C7B",
            "DEVICENAME   /dev/null:PPPPP",
            r#"let url = "http://localhost:PPPPP";"#,
            "TcpListener::bind(([127, 0, 0, 1], PPPPP))",
            r#"std::net::TcpListener::bind(("127.0.0.1", PPPPP))"#,
            r#"{"port": PPPPP}"#,
            r#".env("DB_PORT", "PPPPP")"#,
            "pg_ctl -o \"-p PPPPP\"",
            "[::1]:PPPPP",
        ] {
            assert_eq!(ports_of(&spoilt(example)), [SPOILT], "{example}");
        }
        assert_eq!(ports_of(&spoilt("tauri-driver --port 4444 --native-port=PPPPP")), [4444, SPOILT]);
    }

    #[test]
    fn numbers_that_are_not_ports_and_chosen_ports_are_left_alone() {
        assert!(ports_of("openssl req -x509 -days 36500").is_empty());
        assert!(ports_of(r#"Some("13" | "53100")"#).is_empty());
        assert!(ports_of("TcpListener::bind(\"127.0.0.1:0\")").is_empty());
        assert!(ports_of("let port = free_port();").is_empty());
        assert!(ports_of(&spoilt("sleep PPPPP; mkdir -p /tmp/x")).is_empty());
    }

    #[test]
    fn the_range_is_the_kernels_where_it_can_be_read() {
        // The machine's own range, where Linux says it, lies inside the one
        // checked (so the check is no narrower than the machine's).
        if let Ok(text) = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range") {
            let bounds: Vec<u16> = text.split_whitespace().filter_map(|n| n.parse().ok()).collect();
            assert_eq!(bounds.len(), 2, "{text}");
            assert!(EPHEMERAL.contains(&bounds[0]) && EPHEMERAL.contains(&bounds[1]), "this machine's range {bounds:?}");
        }
    }
}
