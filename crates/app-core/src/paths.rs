//! Where the app keeps its files.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct AppPaths {
    root: PathBuf,
    home: Option<PathBuf>,
    downloads: Option<PathBuf>,
}

impl AppPaths {
    /// The current user's folders for the app `identifier`. Everything sits
    /// in the *local* application-data folder — `%LOCALAPPDATA%` on Windows,
    /// `~/.local/share` on Linux, `~/Library/Application Support` on macOS —
    /// because all of it belongs to this PC: the practice database, the
    /// imported certificates whose passwords are in this PC's keychain, the
    /// logs. A roaming profile would carry it to PCs where it cannot work.
    pub fn for_user(identifier: &str) -> std::io::Result<Self> {
        let base = dirs::data_local_dir()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no application-data folder for this user"))?;
        Ok(Self::new(base.join(identifier))?.with_user_folders())
    }

    /// The user's home and Downloads folders, as the platform names them.
    pub fn with_user_folders(mut self) -> Self {
        self.home = dirs::home_dir();
        self.downloads = dirs::download_dir();
        self
    }

    /// `root` is the app's own data folder (e.g. `~/.local/share/<app id>`).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        for dir in ["certificates", "practice", "logs"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self { root, home: None, downloads: None })
    }

    /// The user's home folder, where other programs keep certificates
    /// (the NSS database on Linux).
    pub fn with_home(mut self, home: impl Into<PathBuf>) -> Self {
        self.home = Some(home.into());
        self
    }

    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// Where files for the user go (the support bundle): the Downloads
    /// folder, else the app's own folder.
    pub fn downloads(&self) -> &Path {
        self.downloads.as_deref().unwrap_or(&self.root)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    pub fn progress(&self) -> PathBuf {
        self.root.join("progress.json")
    }

    /// Imported PKCS#12 files, kept as they are.
    pub fn certificates(&self) -> PathBuf {
        self.root.join("certificates")
    }

    /// The embedded practice service's folder (its own CA, demo office, DB).
    pub fn practice(&self) -> PathBuf {
        self.root.join("practice")
    }

    /// The class this PC serves (研修を開く): its folder (CA, keys,
    /// database) and the record that lets it resume after a crash.
    pub fn hosted_class(&self) -> PathBuf {
        self.root.join("hosted-class")
    }

    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
}

/// Writes a file so that a crash leaves the old or the new one, never half.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, path)
}
