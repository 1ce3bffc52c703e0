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

mod tokens;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tokens::{is_combining, is_invisible, is_numeric, raw_tokens};

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

/// The token of `text` that begins at byte `at` and its index term: where the token ends and
/// the term, when the index keeps one there; `None` when `at` is inside a token (`102` in
/// `E-102`). Snippets check a candidate word with it rather than analysing the text around
/// it; the text is read from the space before `at`, so a token glued across punctuation is
/// seen whole.
pub fn term_at(text: &str, at: usize) -> Option<(usize, String)> {
    let back = crate::text::floor_char_boundary(text, at.saturating_sub(64));
    let from = text[back..at]
        .char_indices()
        .rfind(|(_, c)| c.is_whitespace())
        .map_or(back, |(i, c)| back + i + c.len_utf8());
    let to = crate::text::floor_char_boundary(text, at + 128);
    let raw = raw_tokens(&text[from..to])
        .into_iter()
        .find(|t| from + t.from >= at)
        .filter(|t| from + t.from == at)?;
    Some((from + raw.to, index_term(&normalize(&raw.pieces))?))
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
mod tests;
