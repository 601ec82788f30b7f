fn main() {
    // Listing the commands makes each one need a permission: the capability
    // file then allows exactly these and nothing else.
    let manifest = tauri_build::AppManifest::new().commands(&COMMANDS);
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build: {e:#}");
    }
}

const COMMANDS: [&str; 25] = [
        "status", "start", "list_certificates", "import_certificate", "choose_certificate", "preflight",
        "office_login", "saved_office_login", "office_resend_code", "office_verify", "reference_lists", "user_id_availability",
        "register_admin", "user_login", "send_user_code", "user_verify", "password_report", "change_password",
        "setup_terminal", "mailbox", "save_settings", "restart", "support_bundle", "check_field", "ui_ready",
];
