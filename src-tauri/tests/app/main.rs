//! The desktop shell's tests, in one program: the IPC contract through
//! Tauri's mock runtime, and the page (`ui/`) against the Rust it talks to.
#![allow(clippy::unwrap_used)] // tests: failing loudly is right

mod ipc;
mod page;
mod updates;
