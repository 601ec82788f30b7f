//! Checks of the house itself, run by the fast gate (`cargo test`).
//!
//! [`ports`]: no script, test, benchmark or harness binds a fixed port in
//! the kernel's range for outgoing connections (32768–60999 on Linux): any
//! connection the machine makes may hold such a port at that moment, and a
//! CI run once failed when PostgreSQL's fixed test port was taken. Let the
//! kernel choose (port 0, or `free_port` in scripts/lib.sh) or use a Unix
//! socket.

pub mod ports;
