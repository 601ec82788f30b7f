#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! The built packages, installed and removed as users and administrators
//! would. One test binary: each extra one is a slow link.

mod deb;
mod signing;
mod update_bundle;
mod windows_installer;
