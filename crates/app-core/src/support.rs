//! サポート用ファイル: one zip of logs and settings for the support desk, with
//! secrets and personal data masked.

use crate::paths::AppPaths;
use crate::{AppError, AppResult};
use std::io::Write as _;
use std::path::Path;

/// Masks e-mail addresses, phone numbers, KJ IDs, codes and tokens.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in text.split_inclusive(|c: char| c.is_whitespace() || matches!(c, '"' | ',' | '(' | ')' | '<' | '>' | '=' | '\'')) {
        let (word, sep) = match token.char_indices().last() {
            Some((i, c)) if c.is_whitespace() || matches!(c, '"' | ',' | '(' | ')' | '<' | '>' | '=' | '\'') => (&token[..i], &token[i..]),
            _ => (token, ""),
        };
        let digits = word.chars().filter(char::is_ascii_digit).count();
        let masked = if word.contains('@') {
            "<email>"
        } else if word.starts_with("KJ") && word.len() == 12 {
            "<kj-id>"
        } else if digits >= 6 && digits * 2 >= word.chars().count() {
            "<number>"
        } else if word.len() >= 24 && word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/')) {
            "<token>"
        } else {
            word
        };
        out.push_str(masked);
        out.push_str(sep);
    }
    out
}

/// Writes the bundle to `dest` (a .zip path).
pub fn write_bundle(paths: &AppPaths, dest: &Path, app_version: &str) -> AppResult<()> {
    let file = std::fs::File::create(dest)?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut add = |name: &str, text: &str| -> AppResult<()> {
        zip.start_file(name, opts).map_err(AppError::internal)?;
        zip.write_all(redact(text).as_bytes())?;
        Ok(())
    };
    add("about.txt", &format!("Kaigo Onboard {app_version}\nos: {} {}\n", std::env::consts::OS, std::env::consts::ARCH))?;
    for (name, path) in [("settings.json", paths.settings()), ("progress.json", paths.progress())] {
        if let Ok(text) = std::fs::read_to_string(&path) {
            add(name, &strip_pem(&text))?;
        }
    }
    if let Ok(entries) = std::fs::read_dir(paths.logs()) {
        for entry in entries.flatten() {
            let path = entry.path();
            if let (Some(name), Ok(text)) = (path.file_name().and_then(|n| n.to_str()), std::fs::read_to_string(&path)) {
                add(&format!("logs/{name}"), &text)?;
            }
        }
    }
    zip.finish().map_err(AppError::internal)?;
    Ok(())
}

/// Certificates in settings are not secret, but are long and say nothing useful.
fn strip_pem(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            if let Some(service) = v.get_mut("service").and_then(|s| s.as_object_mut()) {
                if service.contains_key("ca_pem") {
                    service.insert("ca_pem".into(), "<certificate>".into());
                }
            }
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Err(_) => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn personal_data_and_secrets_are_masked() {
        let line = "login user=kaigo01 mail=hanako@example.jp tel 090-1234-5678 code 123456 kj KJ1234567890 token=Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4";
        let r = redact(line);
        for secret in ["hanako@example.jp", "090-1234-5678", "123456", "KJ1234567890", "Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4"] {
            assert!(!r.contains(secret), "{secret} left in {r}");
        }
        assert!(r.contains("login user=kaigo01"));
    }
}
