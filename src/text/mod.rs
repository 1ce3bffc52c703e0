//! Language utilities shared by `content` (URL slugs) and `search` (query correction).

pub mod translit;

/// `text` in Unicode NFC (macOS writes «й» as и + a combining breve). Almost all text is NFC
/// already, and the quick check costs a fraction of normalising: on a 10,000-page base the
/// normalisation of every path and link was the largest step of a live rebuild.
///
/// ASCII and the Russian alphabet (composed letters, nothing combining) are NFC whatever
/// surrounds them, so a text of only those is answered without the Unicode tables: checking
/// every link of 10,000 pages through them was a seventh of resolving the links again.
pub fn nfc(text: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let russian = |c: char| c.is_ascii() || matches!(c, 'А'..='я' | 'Ё' | 'ё');
    if text.chars().all(russian) {
        return text.to_string();
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    }
}

/// `text.to_lowercase()`, fast for what a Russian base is written in. std lowers each
/// non-ASCII letter through a table search; ASCII and the Cyrillic block lower by arithmetic
/// (А–Я and Ѐ–Џ are a fixed distance from their small letters), and any other letter sends
/// the whole text to std, whose rules (the Greek final sigma) look at neighbours. Lowering
/// titles, headings and summaries was a tenth of an edit's rebuild at 10,000 pages.
pub fn lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match simple_lowercase(c) {
            Some(lowered) => out.push(lowered),
            None => return text.to_lowercase(),
        }
    }
    out
}

/// [`lowercase`] with ё read as е: how names a writer may spell either way are compared
/// (metadata keys, tags, the static client's words).
pub fn lowercase_without_yo(text: &str) -> String {
    let lowered = lowercase(text);
    if lowered.contains('ё') {
        lowered.replace('ё', "е")
    } else {
        lowered
    }
}

/// `c` lowered by arithmetic when it is ASCII or Cyrillic, else `None`.
fn simple_lowercase(c: char) -> Option<char> {
    match c {
        _ if c.is_ascii() => Some(c.to_ascii_lowercase()),
        'А'..='Я' => char::from_u32(c as u32 + 0x20),
        'Ѐ'..='Џ' => char::from_u32(c as u32 + 0x50),
        'а'..='я' | 'ѐ'..='џ' => Some(c),
        _ => None,
    }
}

/// The first char of `c.to_lowercase()`, by arithmetic for ASCII and Cyrillic ([`lowercase`]).
pub fn lowercase_char(c: char) -> char {
    simple_lowercase(c).unwrap_or_else(|| c.to_lowercase().next().unwrap_or(c))
}

/// The largest character boundary of `text` at or before byte `at` (the text's length past
/// its end): `str::floor_char_boundary`, stable only since Rust 1.91, above this crate's MSRV.
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lowercase_is_std_lowercase(text in "\\PC*", russian in "[А-яЁёЀ-џ A-Za-z0-9.,-]*") {
            prop_assert_eq!(super::lowercase(&text), text.to_lowercase());
            prop_assert_eq!(super::lowercase(&russian), russian.to_lowercase());
            for c in text.chars().chain(russian.chars()) {
                prop_assert_eq!(super::lowercase_char(c), c.to_lowercase().next().unwrap());
            }
        }

        #[test]
        fn nfc_is_unicode_nfc(text in "\\PC*", russian in "[А-яЁёЙй\u{0306}\u{0308} A-Za-z0-9/.-]*") {
            use unicode_normalization::UnicodeNormalization;
            prop_assert_eq!(super::nfc(&text), text.nfc().collect::<String>());
            prop_assert_eq!(super::nfc(&russian), russian.nfc().collect::<String>());
        }
    }

    #[test]
    fn lowercase_lowers_every_script() {
        assert_eq!(super::lowercase("Ёлка ШЛАГБАУМ QR"), "ёлка шлагбаум qr");
        assert_eq!(super::lowercase("ΟΔΟΣ Ёж"), "οδος ёж");
    }

    #[test]
    fn nfc_composes_only_what_needs_it() {
        assert_eq!(super::nfc("Мои\u{306} файл"), "Мой файл");
        assert_eq!(super::nfc("Шлагбаум"), "Шлагбаум");
    }
}
