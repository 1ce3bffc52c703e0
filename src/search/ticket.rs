//! Ticket understanding before search: what in a pasted message is the problem (whether it
//! is an operator's question about the process is `intent`'s, a learned model).
//!
//! An e-mail carries a greeting, a signature (name, position, phones), an earlier reply quoted
//! below it, forwarded headers and a legal disclaimer. Their words (`уважение`, `менеджер`,
//! `поддержка`, the product's own name) match articles by coincidence and dilute the share of
//! the ticket an article covers, which the confidence model reads. Everything here works on
//! lines, because mail clients mark these parts by lines; a part is removed only when it is
//! recognised, and a ticket that would be left with nothing stays as it was.

use super::analyzer::{analyze, normalize};

/// The problem part of a ticket: quoted replies, forwarded headers, greetings, signatures and
/// disclaimers removed. Never empty when the ticket has words. When the sender's own part only
/// passes a message on («Пересылаю письмо жителя», or a line too short to be a problem), the
/// quoted or forwarded message is the problem, cleaned the same way.
pub fn problem_text(ticket: &str) -> String {
    let cleaned = cleaned(ticket);
    if analyze(&cleaned).is_empty() {
        ticket.to_string()
    } else {
        cleaned
    }
}

/// [`problem_text`] without its fallback: empty when nothing of the ticket is the problem.
fn cleaned(ticket: &str) -> String {
    let (own, earlier) = split_thread(ticket);
    let own_terms = analyze(&own).len();
    // A one-word «Посмотрите» is not a problem; «Шлагбаум не открывается» is.
    let passes_on =
        own_terms < MIN_OWN_TERMS || (own_terms < MAX_COVER_NOTE_TERMS && announces_forward(&own));
    // `earlier` is always shorter than `ticket` (a `>` or a boundary line less), so this ends.
    if passes_on && !earlier.trim().is_empty() {
        format!("{own}\n{}", cleaned(&earlier)).trim().to_string()
    } else {
        own
    }
}

/// Fewer index terms than this in the sender's own part, and it is not the problem itself.
const MIN_OWN_TERMS: usize = 2;
/// A part that says it passes a message on is a cover note below this many index terms (a
/// longer one states a problem of its own and only attaches the thread).
const MAX_COVER_NOTE_TERMS: usize = 15;

/// The sender's own lines, cleaned, and the earlier message(s) of the thread: quoted lines
/// (without their `>`) and everything below a reply boundary.
fn split_thread(ticket: &str) -> (String, String) {
    let lines: Vec<&str> = ticket.lines().collect();
    let boundary = lines
        .iter()
        .position(|l| is_reply_boundary(l.trim()))
        .unwrap_or(lines.len());
    let mut earlier: Vec<&str> = lines[..boundary]
        .iter()
        .filter_map(|l| l.trim().strip_prefix('>'))
        .collect();
    earlier.extend(lines.iter().skip(boundary + 1));
    (own_lines(&lines[..boundary]), earlier.join("\n"))
}

/// The sender's own lines of a message without its thread: greeting, signature, contact
/// lines, headers, disclaimers and quoted lines removed.
fn own_lines(lines: &[&str]) -> String {
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    let first = first_text_line(lines);
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('>') || is_header_line(trimmed) || is_disclaimer(trimmed) {
            continue;
        }
        if i == first && is_greeting(trimmed) {
            continue;
        }
        if is_closing(trimmed) {
            break; // the rest is a signature
        }
        if is_contact_line(trimmed) {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_string()
}

/// Whether the sender says they pass a message on.
fn announces_forward(own: &str) -> bool {
    let lower = normalize(own);
    ["пересыла", "пересла", "forward", "fwd"]
        .iter()
        .any(|cue| lower.contains(cue))
}

fn first_text_line(lines: &[&str]) -> usize {
    lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

fn words(line: &str) -> Vec<String> {
    line.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(normalize)
        .collect()
}

/// A line under which the earlier messages of the thread follow: an original-message or
/// forwarded-message rule, or an attribution line ("… писал(а):", "On … wrote:").
fn is_reply_boundary(line: &str) -> bool {
    let lower = normalize(line);
    let rule = lower.starts_with("---") || lower.starts_with("___") || lower.starts_with("***");
    (rule
        && [
            "original message",
            "исходное сообщение",
            "forwarded",
            "пересыла",
        ]
        .iter()
        .any(|m| lower.contains(m)))
        || ((lower.ends_with("писал(а):")
            || lower.ends_with("пишет:")
            || lower.ends_with("написал:")
            || lower.ends_with("написала:")
            || lower.ends_with("wrote:"))
            && words(line).len() <= 16)
}

/// A mail header line of a forwarded or quoted message (`От:`, `Кому:`, `Sent:`…), but not
/// `Тема:`, whose text is the customer's own summary.
fn is_header_line(line: &str) -> bool {
    const HEADERS: &[&str] = &[
        "от:",
        "кому:",
        "копия:",
        "дата:",
        "отправлено:",
        "from:",
        "to:",
        "cc:",
        "sent:",
        "date:",
    ];
    let lower = normalize(line);
    HEADERS.iter().any(|h| lower.starts_with(h)) && (lower.contains('@') || lower.len() < 120)
}

fn is_greeting(line: &str) -> bool {
    const GREETINGS: &[&str] = &[
        "здравствуйте",
        "добрый день",
        "доброе утро",
        "добрый вечер",
        "доброго дня",
        "доброй ночи",
        "привет",
        "приветствую",
        "коллеги",
        "уважаемая",
        "уважаемые",
        "уважаемый",
        "hello",
        "hi",
        "good day",
    ];
    words(line).len() <= 6 && opens_with_any(line, GREETINGS)
}

/// Whether the line opens with one of `formulas` as whole words («hi» is not «hikvision»).
fn opens_with_any(line: &str, formulas: &[&str]) -> bool {
    let lower = normalize(line);
    formulas.iter().any(|f| {
        lower
            .strip_prefix(f)
            .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
    })
}

/// The line a signature starts with: a closing formula on a line of its own.
pub(crate) fn is_closing(line: &str) -> bool {
    const CLOSINGS: &[&str] = &[
        "с уважением",
        "с наилучшими пожеланиями",
        "всего доброго",
        "всего хорошего",
        "заранее спасибо",
        "заранее благодарю",
        "заранее благодарна",
        "заранее благодарен",
        "спасибо",
        "благодарю",
        "best regards",
        "kind regards",
        "regards",
        "thanks",
        "отправлено с",
        "отправлено из",
        "sent from",
    ];
    line == "--" || line == "—" || (words(line).len() <= 5 && opens_with_any(line, CLOSINGS))
}

/// A short line that is only contact details: a phone, an e-mail address, a site.
fn is_contact_line(line: &str) -> bool {
    let digits = line.chars().filter(char::is_ascii_digit).count();
    let phone = digits >= 10 && line.chars().any(|c| "+()-".contains(c));
    let address = line.contains('@') || line.contains("http") || line.contains("www.");
    (phone || address) && words(line).len() <= 8
}

/// A legal footer: confidentiality and "intended recipient" boilerplate.
fn is_disclaimer(line: &str) -> bool {
    let lower = normalize(line);
    (lower.contains("конфиденциальн") && (lower.contains("получател") || lower.contains("адресат")))
        || lower.contains("intended recipient")
        || lower.contains("this e-mail and any attachments")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Any text: no panic, and a ticket with words keeps some (the problem part is never
        /// emptied by what looks like a signature or a quote).
        #[test]
        fn understanding_never_panics_nor_empties_a_ticket(
            text in "(\\PC{0,40}|>|С уважением,|Здравствуйте!|\\+7 903 111-22-33|\n){0,12}"
        ) {
            let problem = problem_text(&text);
            prop_assert!(analyze(&text).is_empty() || !analyze(&problem).is_empty());
        }
    }

    #[test]
    fn signature_greeting_and_quoted_reply_are_removed() {
        let ticket = "Добрый день!\n\nПосле обновления приложение вылетает на iPhone.\n\n\
                      С уважением,\nИрина Петрова\nуправляющий ЖК «Сосны»\n+7 (903) 118-44-20\n\n\
                      > Здравствуйте, переустановите приложение.\n> Поддержка PASS24";
        assert_eq!(
            problem_text(ticket),
            "После обновления приложение вылетает на iPhone."
        );
    }

    #[test]
    fn an_earlier_message_below_an_attribution_line_is_removed() {
        let ticket = "Шлагбаум опять не открывается по номеру.\n\n\
                      пн, 2 дек. 2026 г. в 10:15, Поддержка PASS24 <support@pass24.online> писал(а):\n\
                      Проверьте, что номер записан кириллицей.";
        assert_eq!(
            problem_text(ticket),
            "Шлагбаум опять не открывается по номеру."
        );
        let forwarded =
            "Посмотрите, пожалуйста.\n-------- Пересылаемое сообщение --------\nОт: x@y.ru";
        assert_eq!(problem_text(forwarded), "Посмотрите, пожалуйста.");
    }

    #[test]
    fn a_forwarded_message_is_the_problem_when_the_sender_only_passes_it_on() {
        let quoted = "Здравствуйте.\nПересылаю письмо нашего IT-специалиста:\n\n\
                      > Выгрузил список собственников в CSV, при импорте «Ошибка формата файла».";
        let problem = problem_text(quoted);
        assert!(problem.contains("Ошибка формата файла"), "{problem}");
        let forwarded = "Добрый день, пересылаю обращение жителя.\n\nС уважением,\nОльга\n\n\
                         -------- Пересылаемое сообщение --------\nОт: Сергей <s@example.ru>\n\
                         Тема: шлагбаум\n\nЗдравствуйте. Шлагбаум не открывается по номеру.\n\
                         С уважением, Сергей";
        let problem = problem_text(forwarded);
        assert!(
            problem.contains("Шлагбаум не открывается по номеру"),
            "{problem}"
        );
        assert!(!problem.contains("s@example.ru"), "{problem}");
    }

    #[test]
    fn a_greeting_is_a_whole_word() {
        let ticket = "Hikvision на въезде не видит номер\nкамера новая";
        assert_eq!(problem_text(ticket), ticket);
    }

    #[test]
    fn a_ticket_of_only_pleasantries_is_kept_whole() {
        assert_eq!(problem_text("Спасибо!"), "Спасибо!");
        assert_eq!(problem_text("Здравствуйте"), "Здравствуйте");
    }

    #[test]
    fn disclaimers_and_contact_lines_go_but_a_long_sentence_with_thanks_stays() {
        let ticket = "Спасибо, что ответили, но пропуск для курьера всё равно не создаётся, пишет ошибку.\n\
                      Это сообщение конфиденциально и предназначено только для указанного получателя.\n\
                      e-mail: ivan@example.ru";
        assert_eq!(
            problem_text(ticket),
            "Спасибо, что ответили, но пропуск для курьера всё равно не создаётся, пишет ошибку."
        );
    }
}
