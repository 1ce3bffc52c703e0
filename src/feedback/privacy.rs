//! What of a ticket feedback keeps: its analysed words, and (only when asked) its text with
//! phone numbers, e-mail addresses, licence plates and the signature masked.

use crate::search::analyzer::analyze;
use crate::search::ticket::{is_closing, problem_text};
use regex::Regex;
use std::sync::LazyLock;

/// E-mail addresses (ASCII and Cyrillic domains alike).
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+(\.[\w-]+)+").expect("e-mail pattern"));

/// A run that may be a phone number: digits with the separators people type; checked for at
/// least [`PHONE_DIGITS`] digits so that dates and flat numbers stay.
static PHONE_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\d[\d\s().\-]{4,}\d").expect("phone pattern"));
const PHONE_DIGITS: usize = 7;

/// A date (`12.03.2026`, `12-03-2026`), which has enough digits to look like a phone.
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}[.\-/]\d{1,2}[.\-/]\d{2,4}$").expect("date pattern"));

/// A Russian licence plate (`А123ВС 77`, `а 123 вс 777`), its letters written in Cyrillic or
/// in the Latin letters that look the same, as plate cameras and people both do.
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    let letter = "[АВЕКМНОРСТУХавекмнорстухABEKMHOPCTYXabekmhopctyx]";
    // Word boundaries, not consumed neighbours: two plates a separator apart are both found.
    Regex::new(&format!(
        r"\b{letter}\s?\d{{3}}\s?{letter}{{2}}(?:\s?\d{{2,3}})?\b"
    ))
    .expect("plate pattern")
});

/// `text` with personal data replaced by `[e-mail]`, `[телефон]`, `[номер]` and the lines of a
/// signature (everything after «С уважением» up to a blank line or a quote) by `[подпись]`.
pub fn mask(text: &str) -> String {
    mask_with(text, &READABLE)
}

/// What each kind of personal data is replaced by.
struct Placeholders {
    email: &'static str,
    plate: &'static str,
    phone: &'static str,
    signature: &'static str,
}

/// For the stored text: a reader sees what was there.
const READABLE: Placeholders = Placeholders {
    email: "[e-mail]",
    plate: "[номер]",
    phone: "[телефон]",
    signature: "[подпись]",
};

/// For the analysed words: nothing, so that a placeholder never becomes a word of the ticket.
const SILENT: Placeholders = Placeholders {
    email: " ",
    plate: " ",
    phone: " ",
    signature: " ",
};

fn mask_with(text: &str, placeholders: &Placeholders) -> String {
    let text = EMAIL.replace_all(text, placeholders.email);
    let text = PLATE.replace_all(&text, placeholders.plate);
    let text = PHONE_LIKE.replace_all(&text, |c: &regex::Captures| {
        let digits = c[0].chars().filter(char::is_ascii_digit).count();
        if digits >= PHONE_DIGITS && !DATE.is_match(c[0].trim()) {
            placeholders.phone.to_string()
        } else {
            c[0].to_string()
        }
    });
    mask_signature(&text, placeholders.signature)
}

/// The signature's lines masked: the closing formula stays, the name, position and company
/// under it (and after it on its line) go.
fn mask_signature(text: &str, placeholder: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_signature = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if in_signature && (trimmed.is_empty() || trimmed.starts_with('>')) {
            in_signature = false;
        }
        if in_signature {
            out.push(placeholder.into());
        } else if is_closing(trimmed) {
            in_signature = true;
            // «С уважением, Иван Петров»: the formula up to its comma stays.
            out.push(match trimmed.split_once(',') {
                Some((formula, rest)) if !rest.trim().is_empty() => {
                    format!("{formula}, {placeholder}")
                }
                _ => line.to_string(),
            });
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

/// The words feedback keeps of a ticket: the index terms of its problem part (as suggest reads
/// it), personal data masked first, each once, sorted.
pub fn ticket_terms(text: &str) -> Vec<String> {
    let masked = mask_with(&problem_text(text), &SILENT);
    let mut terms: Vec<String> = analyze(&masked).into_iter().map(|t| t.term).collect();
    terms.sort();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_emails_and_plates_are_masked() {
        let masked = mask(
            "Машина А123ВС 77 не проезжает, звоните +7 (912) 345-67-89 или 8-912-345-67-89, \
             пишите ivan.petrov@mail.ru. Номер b456ok777 тоже. Квартира 15, 12.03.2026.",
        );
        assert!(!masked.contains("А123ВС"), "{masked}");
        assert!(!masked.contains("b456ok777"), "{masked}");
        assert!(!masked.contains("345-67-89"), "{masked}");
        assert!(!masked.contains("ivan.petrov"), "{masked}");
        assert_eq!(masked.matches("[телефон]").count(), 2, "{masked}");
        assert_eq!(masked.matches("[номер]").count(), 2, "{masked}");
        assert!(masked.contains("Квартира 15, 12.03.2026."), "{masked}");
    }

    #[test]
    fn plates_one_after_another_are_all_masked() {
        let masked = mask("А123ВС77\nВ456ОК77 Е789КХ197, Н001АА50/М002ММ99");
        assert_eq!(masked.matches("[номер]").count(), 5, "{masked}");
    }

    #[test]
    fn the_signature_is_masked_up_to_the_quote() {
        let masked = mask(
            "Не работает шлагбаум.\n\nС уважением, Иван Петров\nУправляющий ТСЖ «Берёзка»\n\n\
             > Ранее вы писали",
        );
        assert!(!masked.contains("Иван"), "{masked}");
        assert!(!masked.contains("Берёзка"), "{masked}");
        assert!(masked.contains("С уважением, [подпись]"), "{masked}");
        assert!(masked.contains("> Ранее вы писали"), "{masked}");
    }

    #[test]
    fn terms_are_the_problem_without_personal_data() {
        let terms = ticket_terms(
            "Здравствуйте! Шлагбаум не открывается по номеру А123ВС77, телефон 89123456789.\n\
             С уважением, Мария Сидорова",
        );
        assert!(terms.contains(&"шлагбаум".to_string()), "{terms:?}");
        // The customer's own «номер» and «телефон» are words of the problem, kept.
        assert!(terms.contains(&"номер".to_string()), "{terms:?}");
        assert!(
            terms
                .iter()
                .all(|t| !t.contains("а123") && !t.contains("8912") && !t.starts_with("мари")),
            "{terms:?}"
        );
    }
}
