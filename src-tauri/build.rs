include!("src/command_names.rs");

macro_rules! names {
    ($($name:ident),* $(,)?) => { &[$(stringify!($name)),*] };
}

const COMMANDS: &[&str] = app_commands!(names);

fn main() {
    // The command list is included, not compiled: a change must rerun this.
    println!("cargo:rerun-if-changed=src/command_names.rs");
    // Listing the commands makes each one need a permission: the capability
    // file then allows exactly these and nothing else.
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build: {e:#}");
    }
}
