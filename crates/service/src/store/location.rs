//! Where the database is: a SQLite file named by its path, or a URL.
//!
//! A path is never pasted into a URL by hand: `sqlite://C:\Users\…` is not a
//! URL at all, and a folder with a space, `#`, `?` or Japanese in its name
//! breaks a naive one. sqlx's `Any` driver takes only URLs, so the one
//! conversion lives here: every byte but the unreserved ASCII ones is
//! percent-encoded, which the SQLite driver decodes back into the exact path.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// A SQLite file, made if missing.
    SqliteFile(PathBuf),
    /// `postgres://…`, or a `sqlite:` URL for what a path cannot say.
    Url(String),
}

/// Characters kept as they are in an encoded path: RFC 3986's unreserved set.
const KEEP: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the database path {0:?} is not valid Unicode; choose a folder whose name is")]
pub struct NonUnicodePath(pub PathBuf);

impl DatabaseLocation {
    pub fn sqlite_file(path: impl Into<PathBuf>) -> Self {
        Self::SqliteFile(path.into())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Url(url) if url.starts_with("postgres:") || url.starts_with("postgresql:"))
    }

    /// The URL sqlx's `Any` driver is given. A SQLite file is opened
    /// read-write and created if missing.
    pub fn driver_url(&self) -> Result<String, NonUnicodePath> {
        match self {
            Self::Url(url) if url.starts_with("sqlite:") && !url.contains("mode=") && !url.contains(":memory:") => {
                Ok(format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" }))
            }
            Self::Url(url) => Ok(url.clone()),
            Self::SqliteFile(path) => Ok(format!("sqlite:{}?mode=rwc", encode_path(path)?)),
        }
    }
}

fn encode_path(path: &Path) -> Result<String, NonUnicodePath> {
    let text = path.to_str().ok_or_else(|| NonUnicodePath(path.to_owned()))?;
    Ok(utf8_percent_encode(text, KEEP).to_string())
}

/// A command-line value: a URL when it has a database scheme, else a path.
impl FromStr for DatabaseLocation {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let is_url = ["postgres://", "postgresql://", "sqlite:"].iter().any(|scheme| s.starts_with(scheme));
        Ok(if is_url { Self::Url(s.to_owned()) } else { Self::SqliteFile(PathBuf::from(s)) })
    }
}

/// Never prints a password that a PostgreSQL URL may carry.
impl fmt::Debug for DatabaseLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SqliteFile(path) => f.debug_tuple("SqliteFile").field(path).finish(),
            Self::Url(url) => {
                let shown = match (url.find("://"), url.rfind('@')) {
                    (Some(start), Some(at)) if at > start => format!("{}://<redacted>{}", &url[..start], &url[at..]),
                    _ => url.clone(),
                };
                f.debug_tuple("Url").field(&shown).finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseLocation;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions as _;
    use std::path::PathBuf;

    /// What sqlx's SQLite driver makes of the URL we hand the `Any` driver.
    fn filename_sqlx_opens(location: &DatabaseLocation) -> PathBuf {
        let url = location.driver_url().unwrap().parse().unwrap();
        SqliteConnectOptions::from_url(&url).unwrap().get_filename().to_owned()
    }

    #[test]
    fn a_sqlite_path_reaches_the_driver_unchanged_whatever_characters_it_holds() {
        for path in [
            r"C:\Users\山田 花子\AppData\Local\jp.kaigo-onboard.app\practice\onboarding.db",
            r"demo-rel\onboarding.db",
            "/home/kaigo/.local/share/jp.kaigo-onboard.app/practice/onboarding.db",
            "relative/with space/#hash?query%25/file.db",
            "onboarding.db",
        ] {
            assert_eq!(filename_sqlx_opens(&DatabaseLocation::sqlite_file(path)), PathBuf::from(path), "{path}");
        }
    }

    #[test]
    fn command_line_values_are_urls_only_with_a_database_scheme() {
        assert_eq!("onboarding.db".parse(), Ok(DatabaseLocation::sqlite_file("onboarding.db")));
        assert_eq!(r"C:\data\onboarding.db".parse(), Ok(DatabaseLocation::sqlite_file(r"C:\data\onboarding.db")));
        let pg: DatabaseLocation = "postgres://kaigo:secret@db.example.jp/onboarding".parse().unwrap();
        assert!(pg.is_postgres());
        assert_eq!(pg.driver_url().unwrap(), "postgres://kaigo:secret@db.example.jp/onboarding");
        assert!(!format!("{pg:?}").contains("secret"));
        let url: DatabaseLocation = "sqlite://onboarding.db".parse().unwrap();
        assert_eq!(url.driver_url().unwrap(), "sqlite://onboarding.db?mode=rwc");
        assert!(!url.is_postgres());
    }
}
