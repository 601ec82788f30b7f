//! Input as Japanese office staff type it: an IME often leaves full-width
//! letters, digits and spaces (全角) where half-width (半角) are required.

/// Trims surrounding white space (ASCII and the ideographic space U+3000) and
/// turns full-width ASCII variants (U+FF01..=U+FF5E) into their half-width forms.
pub(crate) fn half_width(input: &str) -> String {
    input
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::half_width;

    #[test]
    fn full_width_letters_and_digits_become_half_width() {
        assert_eq!(half_width("　ＫＪ１２３ "), "KJ123");
    }
}
