//! Where a token starts and ends: runs of word characters, glued into one token only for a
//! version or IP (`2.14`), a code around a hyphen (`E-102`) and a plate split by spaces
//! (`А 123 ВС 77`); the rules are the analyzer's first (`super`'s module docs).

use super::{fold_lookalike, is_cyrillic};

/// A token before normalisation: its byte span and its text with separators already removed
/// (`E-102` → `E102`) or kept (`2.14`).
pub(super) struct RawToken {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) pieces: String,
}

/// A maximal run of word characters, as a byte range.
#[derive(Clone, Copy)]
struct Segment {
    from: usize,
    to: usize,
}

pub(super) fn raw_tokens(text: &str) -> Vec<RawToken> {
    let segments = segments(text);
    let piece = |s: Segment| &text[s.from..s.to];
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        let first = segments[i];
        let mut pieces = String::from(piece(first));
        let mut end = i + 1;
        if let Some(len) = spaced_plate_len(text, &segments[i..]) {
            for &s in &segments[i + 1..i + len] {
                pieces.push_str(piece(s));
            }
            end = i + len;
        } else {
            while let Some(&next) = segments.get(end) {
                let prev = segments[end - 1];
                match connector(&text[prev.to..next.from], piece(prev), piece(next)) {
                    Some(Connector::Dot) => pieces.push('.'),
                    Some(Connector::Hyphen) => {}
                    None => break,
                }
                pieces.push_str(piece(next));
                end += 1;
            }
        }
        tokens.push(RawToken {
            from: first.from,
            to: segments[end - 1].to,
            pieces,
        });
        i = end;
    }
    tokens
}

fn segments(text: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                segments.push(Segment { from, to: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        segments.push(Segment {
            from,
            to: text.len(),
        });
    }
    segments
}

fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphanumeric() || is_combining(c) || is_invisible(c),
    }
}

/// `char::is_numeric` without the table lookup for the letters of the base's two alphabets.
pub(super) fn is_numeric(c: char) -> bool {
    match c {
        '0'..='9' => true,
        _ if c.is_ascii() || is_cyrillic(c) => false,
        _ => c.is_numeric(),
    }
}

pub(super) fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

pub(super) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200C}' | '\u{200D}' | '\u{2060}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// How two adjacent segments are glued into one token.
enum Connector {
    /// Digits on both sides of a dot: the dot stays (`2.14`).
    Dot,
    /// A letter and a digit around a hyphen: the hyphen goes (`E-102` → `E102`).
    Hyphen,
}

fn connector(separator: &str, left: &str, right: &str) -> Option<Connector> {
    let mut chars = separator.chars();
    let (Some(sep), None) = (chars.next(), chars.next()) else {
        return None;
    };
    let before = left.chars().rev().find(|c| c.is_alphanumeric())?;
    let after = right.chars().find(|c| c.is_alphanumeric())?;
    if sep == '.' && before.is_numeric() && after.is_numeric() {
        return Some(Connector::Dot);
    }
    if !is_hyphen(sep) || before.is_alphabetic() == after.is_alphabetic() {
        return None;
    }
    let letter_side = if before.is_alphabetic() { left } else { right };
    let is_long_word = letter_side.chars().all(|c| !c.is_numeric())
        && letter_side.chars().filter(|c| c.is_alphabetic()).count() > 3;
    (!is_long_word).then_some(Connector::Hyphen)
}

/// If `segments` starts with a plate split into 2–4 segments by spaces or a hyphen, how many
/// segments it spans. Plates in one piece need no help: they are a single segment already.
fn spaced_plate_len(text: &str, segments: &[Segment]) -> Option<usize> {
    (2..=segments.len().min(4)).rev().find(|&len| {
        let window = &segments[..len];
        // Splits must fall between letters and digits: `А123ВС77 5` is a plate and a number.
        let separated = window.windows(2).all(|pair| {
            let sep = &text[pair[0].to..pair[1].from];
            let before = text[..pair[0].to].chars().next_back();
            let after = text[pair[1].from..].chars().next();
            sep.chars().count() <= 3
                && sep
                    .chars()
                    .all(|c| matches!(c, ' ' | '\u{00A0}' | '\u{202F}') || is_hyphen(c))
                && before.map(|c| c.is_ascii_digit()) != after.map(|c| c.is_ascii_digit())
        });
        separated && is_plate(window.iter().flat_map(|s| text[s.from..s.to].chars()))
    })
}

/// A Russian car plate with its region: letter, three digits, two letters, two or three digits,
/// letters from the plate alphabet in either script (`А123ВС77`, `a123bc777`).
fn is_plate(chars: impl Iterator<Item = char>) -> bool {
    let mut shape = String::with_capacity(9);
    for c in chars {
        let class = if c.is_ascii_digit() {
            'd'
        } else if c
            .to_lowercase()
            .all(|l| "авекмнорстух".contains(fold_lookalike(l)))
        {
            'l'
        } else {
            return false;
        };
        if shape.len() == 9 {
            return false;
        }
        shape.push(class);
    }
    shape == "ldddlldd" || shape == "ldddllddd"
}
