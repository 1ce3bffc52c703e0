//! The writers' synonym groups (`content/synonyms.toml`), kept in index terms for query expansion.
//!
//! The file is a list of groups of interchangeable words or phrases:
//!
//! ```toml
//! [[group]]
//! words = ["шлагбаум", "барьер", "ворота", "палка"]
//!
//! [[group]]
//! words = ["ук", "управляющая компания"]
//! ```
//!
//! Every entry is run through [`analyze`] when loaded, so lookups take index terms (stems) and
//! give index terms back: a ticket's `шлагбаума` is the term `шлагбаум`, which expands to the
//! stems of `барьер`, `ворота` and `палка`. An entry may be a phrase; it is then a sequence of
//! terms, and an alternative is always a `Vec<String>` that a caller turns into a term query
//! (one term) or a phrase query (several).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use super::analyzer::analyze;

/// One entry of a group, as index terms: one term for a word, several for a phrase.
type Entry = Vec<String>;

/// Loaded synonym groups. Build with [`Synonyms::parse`] or [`Synonyms::empty`].
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group's distinct entries.
    groups: Vec<Vec<Entry>>,
    /// The first term of every entry → `(group, entry)` indices, to find entries in a text.
    by_first_term: HashMap<String, Vec<(usize, usize)>>,
}

/// Terms of a text that belong to synonym groups, as found by [`Synonyms::expand_all`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// Index of the first matched term in the slice given to [`Synonyms::expand_all`].
    pub start: usize,
    /// How many terms matched: 1 for a word, more for a phrase.
    pub len: usize,
    /// What the matched terms may be replaced by; each alternative is a term sequence.
    pub alternatives: Vec<Vec<String>>,
}

/// A 1-based line and column (in characters) in the synonyms file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// Why a synonyms file was rejected; the writer is pointed at the line to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SynonymsError {
    /// Not TOML, or not `[[group]]` tables each with a `words` array of strings.
    #[error("{}{message}", located(.location))]
    Syntax {
        /// The TOML parser's description of the problem.
        message: String,
        /// Where the problem is, when the parser knows.
        location: Option<Location>,
    },
    /// An entry with nothing to search for: empty, punctuation, or only stop words.
    #[error(
        "{location}: {entry:?} has no searchable words (empty, punctuation or only stop words)"
    )]
    EmptyEntry {
        /// The entry as written.
        entry: String,
        /// Where the entry is.
        location: Location,
    },
    /// A group with fewer than two entries that differ once stemmed (`пропуск`, `пропуска`).
    #[error("{location}: a group needs at least two entries that differ after stemming")]
    TooSmall {
        /// Where the group's `words` array is.
        location: Location,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    words: Spanned<Vec<Spanned<String>>>,
}

impl Synonyms {
    /// No groups: every lookup comes back empty.
    pub fn empty() -> Synonyms {
        Synonyms::default()
    }

    /// Parses the synonyms file and analyzes its entries.
    ///
    /// # Errors
    ///
    /// [`SynonymsError`] with the line and column of the first problem: bad TOML or shape, an
    /// entry without searchable words, or a group with fewer than two distinct entries. Entries
    /// that stem alike (`пропуск`, `пропуска`) are merged silently; a word may sit in several
    /// groups.
    pub fn parse(toml_text: &str) -> Result<Synonyms, SynonymsError> {
        let file: File = toml::from_str(toml_text).map_err(|err| SynonymsError::Syntax {
            message: err.message().trim_end().to_owned(),
            location: err.span().map(|span| Location::at(toml_text, span.start)),
        })?;
        let mut synonyms = Synonyms::empty();
        for group in file.group {
            let group_start = group.words.span().start;
            let mut entries: Vec<Entry> = Vec::new();
            for word in group.words.into_inner() {
                let terms: Entry = analyze(word.get_ref())
                    .into_iter()
                    .map(|t| t.term)
                    .collect();
                if terms.is_empty() {
                    return Err(SynonymsError::EmptyEntry {
                        location: Location::at(toml_text, word.span().start),
                        entry: word.into_inner(),
                    });
                }
                if !entries.contains(&terms) {
                    entries.push(terms);
                }
            }
            if entries.len() < 2 {
                return Err(SynonymsError::TooSmall {
                    location: Location::at(toml_text, group_start),
                });
            }
            synonyms.add_group(entries);
        }
        Ok(synonyms)
    }

    /// Each group's entries as index terms (the static client expands with them too).
    pub fn groups(&self) -> &[Vec<Vec<String>>] {
        &self.groups
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The alternatives of one index term (as produced by [`analyze`]): the other entries of
    /// every group that has this term as a one-word entry, deduplicated, in file order.
    ///
    /// `expand("ук")` with the group `["ук", "управляющая компания"]` gives
    /// `[["управля", "компан"]]`. A term in no group gives an empty list.
    pub fn expand(&self, term: &str) -> Vec<Vec<String>> {
        self.alternatives(
            &[term],
            self.entries_starting_with(term).map(|(group, _)| group),
        )
    }

    /// Finds every group entry, word or phrase, in the analyzed terms of a text (for example a
    /// ticket: `analyze(text)` mapped to `term`) and lists what each may be replaced by.
    ///
    /// Matches are sorted by `start`, longer first, and may overlap: for the group
    /// `["приложение", "мобильное приложение"]` the text `мобильное приложение` matches both
    /// the phrase and its second word. Callers combine the alternatives as they see fit.
    pub fn expand_all<S: AsRef<str>>(&self, terms: &[S]) -> Vec<Expansion> {
        let mut matches: BTreeMap<(usize, std::cmp::Reverse<usize>), Vec<usize>> = BTreeMap::new();
        for start in 0..terms.len() {
            let rest = &terms[start..];
            for (group, entry) in self.entries_starting_with(rest[0].as_ref()) {
                let entry = &self.groups[group][entry];
                let found = entry.len() <= rest.len()
                    && entry.iter().zip(rest).all(|(a, b)| a == b.as_ref());
                if found {
                    let key = (start, std::cmp::Reverse(entry.len()));
                    matches.entry(key).or_default().push(group);
                }
            }
        }
        matches
            .into_iter()
            .map(|((start, std::cmp::Reverse(len)), groups)| Expansion {
                start,
                len,
                alternatives: self.alternatives(&terms[start..start + len], groups.into_iter()),
            })
            .collect()
    }

    fn add_group(&mut self, entries: Vec<Entry>) {
        let group = self.groups.len();
        for (index, entry) in entries.iter().enumerate() {
            self.by_first_term
                .entry(entry[0].clone())
                .or_default()
                .push((group, index));
        }
        self.groups.push(entries);
    }

    /// `(group, entry)` of the entries whose first term is `term`.
    fn entries_starting_with<'a>(
        &'a self,
        term: &str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.by_first_term.get(term).into_iter().flatten().copied()
    }

    /// The entries of `groups` other than `matched`, deduplicated, for groups that contain
    /// `matched` as a whole entry.
    fn alternatives<S: AsRef<str>>(
        &self,
        matched: &[S],
        groups: impl Iterator<Item = usize>,
    ) -> Vec<Vec<String>> {
        let is_matched = |entry: &Entry| {
            entry.len() == matched.len() && entry.iter().zip(matched).all(|(a, b)| a == b.as_ref())
        };
        let mut alternatives: Vec<Vec<String>> = Vec::new();
        for group in groups {
            let entries = &self.groups[group];
            if !entries.iter().any(is_matched) {
                continue;
            }
            for entry in entries {
                if !is_matched(entry) && !alternatives.contains(entry) {
                    alternatives.push(entry.clone());
                }
            }
        }
        alternatives
    }
}

impl Location {
    /// The location of byte `offset` in `text` (clamped to the text).
    fn at(text: &str, offset: usize) -> Location {
        let offset = crate::text::floor_char_boundary(text, offset);
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The `"line L, column C: "` prefix of a syntax error, empty when the location is unknown.
fn located(location: &Option<Location>) -> String {
    location.map(|l| format!("{l}: ")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
# Comments are allowed.
[[group]]
words = ["шлагбаум", "барьер", "ворота", "палка"]

[[group]]
words = ["ук", "управляющая компания", "администрация"]

[[group]]
words = ["приложение", "мобильное приложение", "app"]

[[group]]
words = ["ворота", "калитка"]
"#;

    fn term(word: &str) -> String {
        let analyzed = analyze(word);
        assert_eq!(analyzed.len(), 1, "{word:?}");
        analyzed[0].term.clone()
    }

    fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|t| t.term).collect()
    }

    fn sample() -> Synonyms {
        Synonyms::parse(SAMPLE).expect("sample parses")
    }

    #[test]
    fn a_word_form_expands_to_the_other_stems_of_its_group() {
        let synonyms = sample();
        assert_eq!(synonyms.len(), 4);
        let expected: Vec<Vec<String>> = ["барьер", "ворота", "палка"]
            .iter()
            .map(|w| vec![term(w)])
            .collect();
        assert_eq!(synonyms.expand(&term("шлагбаума")), expected);
        assert!(synonyms.expand(&term("пропуск")).is_empty());
    }

    #[test]
    fn a_word_in_two_groups_gets_both() {
        let expanded = sample().expand(&term("ворот"));
        for word in ["шлагбаум", "барьер", "палка", "калитка"] {
            assert!(expanded.contains(&vec![term(word)]), "{word}: {expanded:?}");
        }
        assert!(!expanded.contains(&vec![term("ворота")]));
    }

    #[test]
    fn phrases_expand_both_ways() {
        let synonyms = sample();
        assert_eq!(
            synonyms.expand("ук"),
            [terms("управляющая компания"), terms("администрация")]
        );
        let ticket = terms("Управляющей компанией не выдаётся пропуск");
        let found = synonyms.expand_all(&ticket);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].len), (0, 2));
        assert_eq!(
            found[0].alternatives,
            [vec!["ук".to_owned()], terms("администрация")]
        );
    }

    #[test]
    fn overlapping_matches_are_all_reported_longest_first() {
        let ticket = terms("вылетает мобильное приложение");
        let found = sample().expand_all(&ticket);
        let spans: Vec<(usize, usize)> = found.iter().map(|e| (e.start, e.len)).collect();
        assert_eq!(spans, [(1, 2), (2, 1)]);
        assert_eq!(found[0].alternatives, [terms("приложение"), terms("app")]);
        assert_eq!(
            found[1].alternatives,
            [terms("мобильное приложение"), terms("app")]
        );
        assert!(sample().expand_all::<&str>(&[]).is_empty());
    }

    #[test]
    fn empty_synonyms_expand_nothing() {
        let empty = Synonyms::empty();
        assert!(empty.is_empty() && empty.expand("шлагбаум").is_empty());
        assert!(Synonyms::parse("# nothing yet\n")
            .expect("parses")
            .is_empty());
    }

    fn syntax_location(text: &str) -> Option<Location> {
        match Synonyms::parse(text) {
            Err(SynonymsError::Syntax { location, .. }) => location,
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_carry_a_location() {
        let unclosed = syntax_location("[[group]]\nwords = [\"a\", \n");
        assert!(unclosed.is_some_and(|l| l.line >= 2), "{unclosed:?}");
        let not_a_list = syntax_location("[[group]]\nwords = \"шлагбаум\"\n");
        assert_eq!(not_a_list.map(|l| l.line), Some(2));
        let unknown_key = syntax_location("[[group]]\nword = [\"x\", \"y\"]\n");
        assert_eq!(unknown_key.map(|l| l.line), Some(2));
    }

    #[test]
    fn useless_entries_and_groups_are_rejected() {
        let err = Synonyms::parse("[[group]]\nwords = [\"пропуск\",\n  \"не\"]\n").unwrap_err();
        assert_eq!(
            err,
            SynonymsError::EmptyEntry {
                entry: "не".to_owned(),
                location: Location { line: 3, column: 3 },
            }
        );
        assert_eq!(
            err.to_string(),
            "line 3, column 3: \"не\" has no searchable words (empty, punctuation or only stop words)"
        );
        let err = Synonyms::parse("[[group]]\nwords = [\"пропуск\", \"Пропуска\"]").unwrap_err();
        let location = Location { line: 2, column: 9 };
        assert_eq!(err, SynonymsError::TooSmall { location });
    }

    #[test]
    fn shipped_synonyms_file_loads() {
        let synonyms = Synonyms::parse(include_str!("../../content/synonyms.toml"))
            .unwrap_or_else(|err| panic!("content/synonyms.toml: {err}"));
        assert!(synonyms.len() >= 25);
        assert!(synonyms
            .expand(&term("шлагбаума"))
            .contains(&vec![term("палка")]));
        assert!(synonyms
            .expand("ук")
            .contains(&terms("управляющая компания")));
    }
}
