//! Where the app keeps its files. The shell passes the platform folders in.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct AppPaths {
    root: PathBuf,
    home: Option<PathBuf>,
}

impl AppPaths {
    /// `root` is the app's own data folder (e.g. `~/.local/share/<app id>`).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        for dir in ["certificates", "practice", "logs"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self { root, home: None })
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
