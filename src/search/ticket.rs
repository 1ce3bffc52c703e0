//! Ticket understanding before search: what in a pasted message is the problem, and whether
//! it is an operator's question about the support process rather than a customer's problem.
//!
//! An e-mail carries a greeting, a signature (name, position, phones), an earlier reply quoted
//! below it, forwarded headers and a legal disclaimer. Their words (`уважение`, `менеджер`,
//! `поддержка`, the product's own name) match articles by coincidence and dilute the share of
//! the ticket an article covers, which the confidence model reads. Everything here works on
//! lines, because mail clients mark these parts by lines; a part is removed only when it is
//! recognised, and a ticket that would be left with nothing stays as it was.

use super::analyzer::{analyze, normalize};

/// The problem part of a ticket: quoted replies, forwarded headers, greetings, signatures and
/// disclaimers removed. Never empty when the ticket has words.
pub fn problem_text(ticket: &str) -> String {
    let lines: Vec<&str> = ticket.lines().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if is_reply_boundary(trimmed) {
            break; // everything below is an earlier message of the thread
        }
        if trimmed.starts_with('>') || is_header_line(trimmed) || is_disclaimer(trimmed) {
            continue;
        }
        if i == first_text_line(&lines) && is_greeting(trimmed) {
            continue;
        }
        if is_closing(trimmed) {
            // The rest is a signature, unless a quoted part follows it (handled above for the
            // lines that come after it, which are signature lines all the same).
            break;
        }
        if is_contact_line(trimmed) {
            continue;
        }
        kept.push(line);
    }
    let cleaned = kept.join("\n");
    if analyze(&cleaned).is_empty() {
        ticket.to_string()
    } else {
        cleaned.trim().to_string()
    }
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
fn is_closing(line: &str) -> bool {
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

/// Words that tell an operator's question about the support process (tickets, priorities,
/// SLA, escalation, closing, what to answer a customer) from a customer's own problem. Stems,
/// as the analyzer makes them. Each cue alone is not enough, since customers say
/// «обращение» and «ответ» too: see [`is_procedural`].
const STRONG_CUES: &[&str] = &[
    "тикет",
    "эскалац",
    "эскалир",
    "эскалирова",
    "sla",
    "l1",
    "l2",
    "l3",
    "регламент",
    "приоритет",
    "приоритизац",
    "автозакрыт",
    "переоткр",
    "переоткрыт",
    "инцидент",
    "клиент",
    "клиентк",
    "заявител",
    "дежурств",
    "дежурн",
    "оператор",
    "разраб",
];

const WEAK_CUES: &[&str] = &[
    "обращен",
    "ответ",
    "ответа",
    "отвеч",
    "закр",
    "закрыва",
    "закрыт",
    "линия",
    "линии",
    "разработк",
    "баг",
    "крит",
    "шаблон",
    "срок",
    "эскал",
    "таймаут",
    "смен",
    "передава",
    "переда",
];

/// An operator's procedural question: two strong cues, or one with a weak cue or a question
/// mark.
pub fn is_procedural(ticket: &str) -> bool {
    let terms = analyze(ticket);
    let strong = terms
        .iter()
        .filter(|t| STRONG_CUES.contains(&t.term.as_str()))
        .count();
    let weak = terms
        .iter()
        .filter(|t| WEAK_CUES.contains(&t.term.as_str()))
        .count();
    strong >= 2 || (strong == 1 && weak >= 1) || (strong == 1 && ticket.contains('?'))
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
            let _ = is_procedural(&text);
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

    #[test]
    fn procedural_questions_are_told_from_customer_problems() {
        for q in [
            "клиент третий день молчит, можно закрыть тикет?",
            "когда эскалировать на разработку, если баг воспроизводится?",
            "какой приоритет ставить, если у всего ЖК не открывается шлагбаум?",
        ] {
            assert!(is_procedural(q), "{q}");
        }
        for t in [
            "не приходит смс с кодом, что делать?",
            "шлагбаум не открывается по номеру машины",
            "Я отправила обращение неделю назад, ответа нет, пропуск не работает",
        ] {
            assert!(!is_procedural(t), "{t}");
        }
    }
}
