//! Language utilities shared by `content` (URL slugs) and `search` (query correction).

pub mod translit;

/// `text` in Unicode NFC (macOS writes «й» as и + a combining breve). Almost all text is NFC
/// already, and the quick check costs a fraction of normalising: on a 10,000-page base the
/// normalisation of every path and link was the largest step of a live rebuild.
pub fn nfc(text: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nfc_composes_only_what_needs_it() {
        assert_eq!(super::nfc("Мои\u{306} файл"), "Мой файл");
        assert_eq!(super::nfc("Шлагбаум"), "Шлагбаум");
    }
}
