#![allow(clippy::unwrap_used)] // tests: failing loudly is right
//! Integration tests of the onboarding service, through the client crate,
//! over real mutual TLS. One test binary (each extra one is a slow link).

mod classes;
mod cli;
mod codes;
mod connections;
mod delivery;
// Faults need Linux's parts (pg_ctl, mount, SIGKILL): not run under Wine.
#[cfg(target_os = "linux")]
mod fault_proxy;
#[cfg(target_os = "linux")]
mod faults;
mod harness;
mod instances;
mod lockouts;
mod logs;
mod mtls;
mod openapi;
mod passwords;
mod process;
mod proxy;
mod registration;
mod revocation;
mod smtp;
mod step3;
mod store;
mod terminals;
mod test_proxy;
