// The app's commands, named once. `build.rs` includes this file to give each
// command its permission, `lib.rs` to register the handlers and to list them;
// a test holds `capabilities/main.json` and the IPC contract test to it.
macro_rules! app_commands {
    ($apply:ident) => {
        $apply! {
            status, start, list_certificates, import_certificate, choose_certificate, preflight,
            readiness_checklist, office_login, saved_office_login, office_resend_code, office_verify,
            reference_lists, review_registration, edit_registration, register_admin, acknowledge_registration,
            user_login, send_user_code, user_verify, password_report, change_password,
            setup_terminal, issue_device_terminal, reissue_device_activation, list_terminals, unlink_terminal,
            finish_terminals, practice_device_scan, card_check, completion_report, save_completion_report, mailbox, save_settings, save_proxy, connection_test, check_update, install_update, join_class, leave_class, restart, support_bundle, check_field, ui_ready,
            class_networks, find_classes, open_class, hosted_class, show_trainer_window, close_app,
            real_day, save_real_day_values, tick_real_day_step, start_day_clock, copy_real_day_value, keep_real_day_on_top, open_real_day_window, check_pc_certificates, save_real_day_results, real_day_record,
        }
    };
}
