//! The one text analyzer shared by the index and ticket matching: words, codes, stop words, stems.
//!
//! Articles and tickets go through the same [`analyze`], so whatever form a customer types
//! meets the form a writer used. The rules, in order:
//!
//! 1. **Tokens** are runs of letters and digits (`char::is_alphanumeric`). Combining marks
//!    (U+0300–U+036F: stress accents, a decomposed `й` or `ё`) and invisible in-word characters
//!    (soft hyphen, ZWJ/ZWNJ, word joiner) stay inside the word. Runs are joined into one token
//!    only in three cases:
//!    * a `.` between two digits keeps a version or IP whole: `2.14`, `10.3.1`;
//!    * a hyphen between a letter and a digit glues a code, dropping the hyphen:
//!      `E-102` → `е102`, `ЖК-5` → `жк5` — unless the letter side is a real word of four or more
//!      letters (`ошибка-403` stays two tokens);
//!    * a Russian plate split by spaces or hyphens (`А 123 ВС 77`) becomes `а123вс77`.
//!
//!    Every other hyphen separates: `смс-код` is `смс` + `код`, exactly like `смс код`, so
//!    hyphenated and spaced spellings meet.
//! 2. **Normalisation** ([`normalize`]): lowercase, `ё` → `е`, combining marks and invisible
//!    characters removed.
//! 3. **Codes and numbers**: a token with a digit is kept whole and unstemmed. If every Latin
//!    letter in it has a Cyrillic look-alike (`a b c e h k m o p t x y`), those letters become
//!    Cyrillic, because plates and codes are typed in either script: `A123BC77` (Latin) and
//!    `А123ВС77` (Cyrillic) both give `а123вс77`. The same folding repairs words typed with a
//!    stray Latin look-alike among Cyrillic letters.
//! 4. **Words**: one-letter words and [stop words](is_stop_word) are dropped (including `не` and
//!    `not`: they carry no topic); the rest is stemmed with Snowball, Russian for Cyrillic words
//!    and English for Latin ones; other scripts are kept as written.
//! 5. Tokens longer than 40 characters (hashes, base64 in pasted logs) are dropped: nobody
//!    searches for them and they would bloat the index.
//!
//! Positions count kept tokens only (0, 1, 2, …), so a phrase query matches across dropped stop
//! words: `не приходит смс` and `приходит смс` are the same phrase.

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name under which [`text_analyzer`] is registered in tantivy's tokenizer manager.
pub const ANALYZER_NAME: &str = "spravka_ru";

/// Longer tokens are machine noise (hashes, base64); see the module docs.
const MAX_TOKEN_CHARS: usize = 40;

/// Russian stop words, normalised (no `ё`) and sorted for binary search: the Snowball list without
/// its literary entries (сказал, жизнь, человек…), plus the politeness every ticket opens with.
#[rustfmt::skip]
const RUSSIAN_STOP_WORDS: &[&str] = &[
    "а", "без", "более", "больше", "будет", "будто", "бы", "был", "была", "были", "было", "быть",
    "в", "вам", "вас", "ваш", "ваша", "ваше", "вашего", "вашей", "вашем", "ваши", "вашим", "вдруг",
    "ведь", "во", "вот", "впрочем", "все", "всегда", "всего", "всех", "всю", "вы", "где", "да",
    "даже", "для", "до", "добрый", "другой", "его", "ее", "ей", "ему", "если", "есть", "еще", "ж",
    "же", "за", "зачем", "здесь", "здравствуйте", "и", "из", "или", "им", "иногда", "их", "к",
    "как", "какая", "какой", "когда", "конечно", "которая", "которое", "которой", "которые",
    "который", "которых", "кто", "куда", "ли", "либо", "лучше", "между", "меня", "мне", "много",
    "может", "можно", "мой", "моя", "мы", "на", "над", "надо", "наконец", "нас", "наш", "наша",
    "наше", "наши", "не", "него", "нее", "ней", "нельзя", "нет", "ни", "нибудь", "никогда", "ним",
    "них", "ничего", "но", "ну", "нужно", "о", "об", "однако", "он", "она", "они", "оно", "опять",
    "от", "очень", "перед", "по", "под", "подскажите", "пожалуйста", "после", "потом", "потому",
    "почти", "при", "привет", "про", "просто", "раз", "разве", "с", "сам", "свою", "себе", "себя",
    "сегодня", "сейчас", "снова", "со", "совсем", "спасибо", "так", "также", "такой", "там",
    "тебя", "тем", "теперь", "то", "тогда", "того", "тоже", "той", "только", "том", "тут", "ты",
    "у", "уж", "уже", "хорошо", "хоть", "чего", "чем", "через", "что", "чтоб", "чтобы", "чуть",
    "эта", "эти", "этим", "этих", "это", "этого", "этой", "этом", "этот", "эту", "я",
];

/// English stop words (the Snowball list plus `please`), sorted for binary search.
#[rustfmt::skip]
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "don", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off",
    "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
    "please", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "yourself", "yourselves",
];

/// Nouns that Snowball mistakes for past-tense verbs in some cases (`журна-л`, `охра-на`, but
/// `журнал-е`), so their forms would not meet. Their stem is pinned for the endings below.
#[rustfmt::skip]
const PINNED_STEMS: &[&str] = &[
    "журнал", "интервал", "канал", "материал", "охран", "персонал", "портал", "сигнал", "телеграм",
    "терминал", "экран",
];

/// Hard-stem noun case endings, for [`PINNED_STEMS`].
const NOUN_ENDINGS: &[&str] = &[
    "", "а", "ам", "ами", "ах", "е", "ов", "ой", "ом", "ою", "у", "ы",
];

/// Latin letters whose capitals look like Cyrillic ones, with their Cyrillic twin: exactly the
/// twelve letters allowed on Russian plates (`B` is the twin of `В`).
#[rustfmt::skip]
const LOOKALIKES: &[(char, char)] = &[
    ('a', 'а'), ('b', 'в'), ('c', 'с'), ('e', 'е'), ('h', 'н'), ('k', 'к'),
    ('m', 'м'), ('o', 'о'), ('p', 'р'), ('t', 'т'), ('x', 'х'), ('y', 'у'),
];

/// One kept token: its index form, the word as written, its position and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedTerm {
    /// The index form: stemmed word, or code/number as described in the module docs.
    pub term: String,
    /// The token as written, [normalised](normalize) (for `E-102` this is `e-102`).
    pub original: String,
    /// The index of this token among the kept tokens of the text.
    pub position: u32,
    /// Byte offset of the token's first character in the input.
    pub offset_from: usize,
    /// Byte offset just past the token's last character in the input.
    pub offset_to: usize,
}

/// Every stop word, Russian then English (the static search client drops the same words).
pub fn stop_words() -> impl Iterator<Item = &'static str> {
    RUSSIAN_STOP_WORDS.iter().chain(ENGLISH_STOP_WORDS).copied()
}

/// Splits `text` into index terms following the rules in the module docs. Never panics.
pub fn analyze(text: &str) -> Vec<AnalyzedTerm> {
    analyze_with(text, true)
}

/// Each kept token's byte offset in `text` and its position, as the index records them (the
/// passages of a page are cut at token positions).
pub fn token_offsets(text: &str) -> Vec<(usize, u32)> {
    analyze_with(text, false)
        .into_iter()
        .map(|t| (t.offset_from, t.position))
        .collect()
}

/// `analyze`, leaving `original` empty unless asked: indexing needs only the terms.
fn analyze_with(text: &str, with_original: bool) -> Vec<AnalyzedTerm> {
    let mut terms = Vec::new();
    let mut position = 0u32;
    for raw in raw_tokens(text) {
        if let Some(term) = index_term(&normalize(&raw.pieces)) {
            terms.push(AnalyzedTerm {
                term,
                original: if with_original {
                    normalize(&text[raw.from..raw.to])
                } else {
                    String::new()
                },
                position,
                offset_from: raw.from,
                offset_to: raw.to,
            });
            position = position.saturating_add(1);
        }
    }
    terms
}

/// Every word of `text` stemmed, stop words included and codes and numbers left out: the
/// voice of a message («что ему ответить», «у меня») is in the words an index drops.
pub fn word_stems(text: &str) -> Vec<String> {
    raw_tokens(text)
        .into_iter()
        .map(|raw| normalize(&raw.pieces))
        .filter(|w| !w.is_empty() && !w.chars().any(is_numeric))
        .map(|w| stem_word(fold_mixed_script(&w)))
        .collect()
}

/// Lowercases and folds `ё` to `е`; also drops combining marks (stress accents; a decomposed
/// `й` is recomposed first) and invisible in-word characters such as the soft hyphen.
pub fn normalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        // Fast paths for the two alphabets of the base: Unicode's case tables cost most of
        // indexing time otherwise.
        match c {
            'a'..='z' | '0'..='9' | 'а'..='я' => {
                out.push(c);
                continue;
            }
            'A'..='Z' => {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            'А'..='Я' => {
                out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c));
                continue;
            }
            _ => {}
        }
        normalize_char(c, &mut out);
    }
    out
}

fn normalize_char(c: char, out: &mut String) {
    for c in c.to_lowercase() {
        match c {
            '\u{0306}' if out.ends_with('и') => {
                out.pop();
                out.push('й');
            }
            // Dropping the diaeresis of a decomposed ё leaves е, which is the folding we want.
            c if is_combining(c) || is_invisible(c) => {}
            'ё' => out.push('е'),
            c => out.push(c),
        }
    }
}

/// The index form of a single word, without stop-word or length filtering: normalised, then
/// kept whole if it contains a digit (a code), else stemmed with the Russian Snowball stemmer if
/// it is Cyrillic, the English one if it is Latin, and left as is in any other script.
pub fn stem(word: &str) -> String {
    word_term(&normalize(word))
}

/// Whether `word` (in any case, with `ё` or `е`) is a Russian or English stop word.
pub fn is_stop_word(word: &str) -> bool {
    is_normalized_stop_word(&normalize(word))
}

/// The tantivy tokenizer that produces exactly [`analyze`]'s terms and positions.
#[derive(Debug, Clone, Copy, Default)]
pub struct RussianAnalyzer;

/// The token stream of [`RussianAnalyzer`]; the text is analyzed up front.
pub struct AnalyzedTokenStream {
    terms: std::vec::IntoIter<AnalyzedTerm>,
    token: Token,
}

impl Tokenizer for RussianAnalyzer {
    type TokenStream<'a> = AnalyzedTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzedTokenStream {
        AnalyzedTokenStream {
            terms: analyze_with(text, false).into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for AnalyzedTokenStream {
    fn advance(&mut self) -> bool {
        let Some(term) = self.terms.next() else {
            return false;
        };
        self.token = Token {
            offset_from: term.offset_from,
            offset_to: term.offset_to,
            position: term.position as usize,
            text: term.term,
            position_length: 1,
        };
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The analyzer to register under [`ANALYZER_NAME`] for indexed text fields.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(RussianAnalyzer)
}

/// A token before normalisation: its byte span and its text with separators already removed
/// (`E-102` → `E102`) or kept (`2.14`).
struct RawToken {
    from: usize,
    to: usize,
    pieces: String,
}

/// A maximal run of word characters, as a byte range.
#[derive(Clone, Copy)]
struct Segment {
    from: usize,
    to: usize,
}

fn raw_tokens(text: &str) -> Vec<RawToken> {
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
fn is_numeric(c: char) -> bool {
    match c {
        '0'..='9' => true,
        _ if c.is_ascii() || is_cyrillic(c) => false,
        _ => c.is_numeric(),
    }
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn is_invisible(c: char) -> bool {
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

/// The index term of a normalised token, or `None` if the token is not kept.
fn index_term(token: &str) -> Option<String> {
    let chars = token.chars().count();
    if chars == 0 || chars > MAX_TOKEN_CHARS {
        return None;
    }
    if token.chars().any(is_numeric) {
        return Some(code_term(token));
    }
    let word = fold_mixed_script(token);
    (chars > 1 && !is_normalized_stop_word(&word)).then(|| stem_word(word))
}

/// [`index_term`] without the filters, for [`stem`].
fn word_term(word: &str) -> String {
    if word.chars().any(is_numeric) {
        code_term(word)
    } else {
        stem_word(fold_mixed_script(word))
    }
}

fn code_term(code: &str) -> String {
    fold_lookalikes(code).unwrap_or_else(|| code.to_owned())
}

/// Stems a normalised, letters-only word in the stemmer of its script.
fn stem_word(word: String) -> String {
    let algorithm = if word.chars().all(is_cyrillic) {
        if let Some(stem) = pinned_stem(&word) {
            return stem.to_owned();
        }
        Algorithm::Russian
    } else if word.chars().all(|c| c.is_ascii_alphabetic()) {
        Algorithm::English
    } else {
        return word;
    };
    STEMS.with_borrow_mut(|cache| {
        if let Some(stem) = cache.get(&word) {
            return stem.clone();
        }
        if cache.len() >= STEM_CACHE_ENTRIES {
            cache.clear();
        }
        let stem = Stemmer::new(algorithm).stem(&word).into_owned();
        cache.insert(word, stem.clone());
        stem
    })
}

/// How many word → stem pairs each thread remembers before starting over.
const STEM_CACHE_ENTRIES: usize = 100_000;

thread_local! {
    /// Stemming is a pure function and a base's vocabulary is small, so each thread memoises
    /// it: Snowball was a fifth of indexing time. Not state of the application: forgetting it
    /// changes nothing but speed.
    static STEMS: std::cell::RefCell<std::collections::HashMap<String, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn pinned_stem(word: &str) -> Option<&'static str> {
    PINNED_STEMS.iter().copied().find(|stem| {
        word.strip_prefix(stem)
            .is_some_and(|ending| NOUN_ENDINGS.contains(&ending))
    })
}

fn is_normalized_stop_word(word: &str) -> bool {
    RUSSIAN_STOP_WORDS.binary_search(&word).is_ok()
        || ENGLISH_STOP_WORDS.binary_search(&word).is_ok()
}

/// The Latin letters a code or a mixed-script word folds into Cyrillic, with their twins (the
/// static search client folds what is typed the same way).
pub fn lookalikes() -> &'static [(char, char)] {
    LOOKALIKES
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

fn fold_lookalike(c: char) -> char {
    LOOKALIKES
        .iter()
        .find(|&&(latin, _)| latin == c)
        .map_or(c, |&(_, cyrillic)| cyrillic)
}

/// Replaces Latin look-alikes by Cyrillic letters if every Latin letter has one; a Latin word
/// such as `iphone15` is left alone (`None`) rather than turned into a mixed-script hybrid.
fn fold_lookalikes(token: &str) -> Option<String> {
    let all_foldable = token
        .chars()
        .filter(char::is_ascii_alphabetic)
        .all(|c| fold_lookalike(c) != c);
    all_foldable.then(|| token.chars().map(fold_lookalike).collect())
}

/// A word mixing Cyrillic and Latin letters is a Cyrillic word with a stray look-alike.
fn fold_mixed_script(word: &str) -> String {
    let mixed = word.chars().any(is_cyrillic) && word.chars().any(|c| c.is_ascii_alphabetic());
    mixed
        .then(|| fold_lookalikes(word))
        .flatten()
        .unwrap_or_else(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::collector::Count;
    use tantivy::query::QueryParser;
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    use tantivy::{doc, Index, IndexWriter};

    fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.term).collect()
    }

    fn assert_same_terms(words: &[&str]) {
        let expected = terms(words[0]);
        assert_eq!(expected.len(), 1, "{:?} should give one term", words[0]);
        for word in &words[1..] {
            assert_eq!(terms(word), expected, "{word:?} vs {:?}", words[0]);
        }
    }

    #[test]
    fn forms_of_a_word_meet() {
        assert_same_terms(&["шлагбаум", "шлагбаума", "Шлагбаумом"]);
        assert_same_terms(&["приходит", "приходят"]);
        assert_same_terms(&["пропуск", "пропуска", "пропусков"]);
        assert_same_terms(&["приложение", "приложения", "приложении"]);
        assert_same_terms(&["учётной", "учетной", "УЧЁТНОЙ"]);
        assert_same_terms(&["notifications", "notification", "Notification"]);
        assert_same_terms(&["охрана", "охраны", "охрану", "охраной"]);
        assert_same_terms(&["журнал", "журнала", "журнале", "журналы"]);
        assert_ne!(terms("охранник"), terms("охрана"));
    }

    #[test]
    fn plates_and_codes_meet_across_scripts_and_spacing() {
        let plate = [
            "А123ВС77",
            "a123bc77",
            "A123BC77",
            "А 123 ВС 77",
            "a123bc 77",
            "А123-ВС77",
        ];
        for written in plate {
            assert_eq!(terms(written), ["а123вс77"], "{written:?}");
        }
        assert_eq!(terms("E-102"), ["е102"]);
        assert_eq!(terms("ошибка E102"), terms("ошибка е-102"));
        assert_eq!(terms("ЖК-5"), ["жк5"]);
        assert_eq!(
            terms("iPhone15"),
            ["iphone15"],
            "no hybrid when a letter has no twin"
        );
    }

    #[test]
    fn numbers_stay_whole() {
        assert_eq!(terms("403"), ["403"]);
        assert_eq!(terms("версия 2.14."), [stem("версия").as_str(), "2.14"]);
        assert_eq!(terms("10.3.1"), ["10.3.1"]);
        assert_eq!(terms("шаг 5"), ["шаг", "5"]);
    }

    #[test]
    fn hyphens_split_words_but_not_codes() {
        assert_eq!(terms("смс-код"), terms("смс код"));
        assert_eq!(terms("ошибка-403"), ["ошибк", "403"]);
        assert_eq!(terms("8-800-555"), ["8", "800", "555"]);
        assert_eq!(terms("А123ВС77 5"), ["а123вс77", "5"]);
    }

    #[test]
    fn stop_words_and_single_letters_are_dropped() {
        assert_eq!(
            terms("Здравствуйте! Не приходит смс на телефон"),
            ["приход", "смс", "телефон"]
        );
        assert_eq!(terms("it is not working"), ["work"]);
        assert_eq!(terms("я в шоке, x"), ["шок"]);
        assert!(is_stop_word("НЕ") && is_stop_word("всё") && is_stop_word("The"));
        assert!(!is_stop_word("шлагбаум"));
    }

    #[test]
    fn positions_count_kept_tokens_and_offsets_point_into_the_text() {
        let text = "Не пришёл код, и шлагбаум — не открывается!";
        let analyzed = analyze(text);
        let positions: Vec<u32> = analyzed.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2, 3]);
        assert_eq!(analyzed[0].original, "пришел");
        for term in &analyzed {
            assert_eq!(
                normalize(&text[term.offset_from..term.offset_to]),
                term.original
            );
        }
        let code = &analyze("код E-102")[1];
        assert_eq!(
            (code.original.as_str(), code.term.as_str()),
            ("e-102", "е102")
        );
    }

    #[test]
    fn invisible_and_combining_characters_are_ignored() {
        assert_eq!(terms("за\u{301}мок"), terms("замок"));
        assert_eq!(terms("шлаг\u{ad}баум"), terms("шлагбаум"));
        assert_eq!(terms("мои\u{306}"), terms("мой"));
        assert_eq!(terms("е\u{308}лка"), terms("елка"));
        assert_eq!(
            terms("шлагбaум"),
            terms("шлагбаум"),
            "a stray Latin look-alike"
        );
    }

    #[test]
    fn long_machine_tokens_are_dropped() {
        let hash = "a3f5".repeat(16);
        assert_eq!(terms(&format!("hash {hash} ok")), ["hash", "ok"]);
    }

    #[test]
    fn public_helpers() {
        assert_eq!(normalize("Ёлка"), "елка");
        assert_eq!(stem("Шлагбаума"), "шлагбаум");
        assert_eq!(stem("Notifications"), stem("notification"));
        assert_eq!(stem("A123BC77"), "а123вс77");
        assert_eq!(stem("日本"), "日本");
    }

    #[test]
    fn stop_word_lists_are_sorted_and_normalized() {
        for list in [RUSSIAN_STOP_WORDS, ENGLISH_STOP_WORDS] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "sorted, no duplicates"
            );
            assert!(list.iter().all(|w| normalize(w) == *w));
        }
    }

    #[test]
    fn survives_large_and_hostile_input() {
        let line =
            "2024-05-01T10:00:00Z ERROR gate\u{0}ctl: ☠️ timeout E-102 (А123ВС77) 🚗 é\u{301}\n";
        let log = line.repeat(50 * 1024 / line.len() + 1);
        let analyzed = analyze(&log);
        assert!(analyzed.len() > 1000);
        assert!(analyze("\u{301}\u{306}\u{ad} -.- 🙂").is_empty());
    }

    #[test]
    fn tantivy_tokenizer_yields_analyze_output() {
        let text = "Не приходит SMS с кодом E-102";
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        stream.process(&mut |t| tokens.push((t.text.clone(), t.position, t.offset_from)));
        let expected: Vec<_> = analyze(text)
            .into_iter()
            .map(|t| (t.term, t.position as usize, t.offset_from))
            .collect();
        assert_eq!(tokens, expected);
    }

    #[test]
    fn index_matches_other_forms_and_phrases() -> tantivy::Result<()> {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let mut schema = Schema::builder();
        let body = schema.add_text_field(
            "body",
            TextOptions::default().set_indexing_options(indexing),
        );
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER_NAME, text_analyzer());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.add_document(doc!(body => "Не приходит SMS с кодом подтверждения"))?;
        writer.add_document(doc!(body => "Шлагбаум не открывается перед машиной А123ВС77"))?;
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let parser = QueryParser::for_index(&index, vec![body]);
        let count = |query: &str| -> tantivy::Result<usize> {
            searcher.search(&parser.parse_query(query).expect("query parses"), &Count)
        };
        assert_eq!(count("шлагбаума")?, 1);
        assert_eq!(count("a123bc77")?, 1);
        // «с» between «SMS» and «кодом» is dropped, so the phrase still matches.
        assert_eq!(count("\"sms код\"")?, 1);
        assert_eq!(count("\"кодом sms\"")?, 0);
        Ok(())
    }

    proptest! {
        #[test]
        fn analyze_never_panics_and_keeps_invariants(text in any::<String>()) {
            check_invariants(&text);
        }

        #[test]
        fn analyze_handles_dense_word_material(
            text in "[а-яА-ЯёЁa-zA-Z0-9 .\\-\u{301}\u{306}\u{308}\u{ad}]{0,80}"
        ) {
            check_invariants(&text);
        }
    }

    fn check_invariants(text: &str) {
        for (i, term) in analyze(text).iter().enumerate() {
            assert_eq!(term.position as usize, i);
            assert!(!term.term.is_empty());
            assert!(term.offset_from < term.offset_to);
            assert!(text.get(term.offset_from..term.offset_to).is_some());
        }
    }
}
