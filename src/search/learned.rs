//! What operators taught suggest: per article, the words of the tickets it was confirmed for
//! («Помогло») and rejected for («Не то»), each word counted by the distinct clients who said
//! so, capped. Suggest scales an article's search score by how much of a new ticket's weight
//! those words cover, so a confirmed answer rises for tickets like the confirmed one.
//!
//! Counting clients rather than votes, and capping them, bounds what anyone can do: one
//! client's flood of votes counts as one confirmation, and [`Learned::cap`] of them are the
//! most an article can gain (`tests/feedback.rs` pins both).

use super::vocabulary::QueryTerm;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An operator's verdict on one article for one ticket, as learning reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson {
    /// The article answered the ticket.
    Confirmed,
    /// The article was suggested and did not answer it.
    Rejected,
}

/// How much a full agreement of learned words moves an article's score: a ticket whose whole
/// weight was confirmed by `cap` clients multiplies the score by `1 + CONFIRMED_GAIN`; one
/// whose whole weight was rejected divides it by `1 + REJECTED_LOSS`. Set, not tuned: a full
/// confirmation triples a score, enough to lift an answer found second or third over the
/// first, not enough to lift one found twentieth; `search::replay` measures them
/// (BENCHMARKS.md, "feedback").
pub const CONFIRMED_GAIN: f32 = 2.0;
pub const REJECTED_LOSS: f32 = 2.0;

/// Per article path, per word: the clients who taught it.
type Taught = HashMap<String, HashMap<String, BTreeSet<String>>>;

/// The file `spravka build` writes beside the index, what `spravka suggest` reads.
pub const SHIPPED_FILE: &str = "learned.json";

/// What is learned as shipped: per article, per word, how many distinct clients taught it (at
/// most the cap). Counts, not clients: the file carries no one's identity, and the counts are
/// all that [`Learned::factor`] reads. Sorted maps, so the same feedback ships the same bytes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    cap: u32,
    confirmed: BTreeMap<String, BTreeMap<String, usize>>,
    rejected: BTreeMap<String, BTreeMap<String, usize>>,
}

#[derive(Debug, Clone, Default)]
pub struct Learned {
    cap: u32,
    gain: f32,
    loss: f32,
    confirmed: Taught,
    rejected: Taught,
}

impl Learned {
    /// Nothing learned yet; at most `cap` distinct clients count for a word of an article.
    pub fn new(cap: u32) -> Learned {
        Learned {
            cap: cap.max(1),
            gain: CONFIRMED_GAIN,
            loss: REJECTED_LOSS,
            ..Learned::default()
        }
    }

    /// [`Learned::new`] with other gains than the shipped ones, for the replay's comparison.
    pub fn with_gains(cap: u32, gain: f32, loss: f32) -> Learned {
        Learned {
            gain,
            loss,
            ..Learned::new(cap)
        }
    }

    pub fn cap(&self) -> u32 {
        self.cap
    }

    pub fn is_empty(&self) -> bool {
        self.confirmed.is_empty() && self.rejected.is_empty()
    }

    /// Records that `client` said `lesson` of article `path` for a ticket of `terms`.
    pub fn learn(&mut self, path: &str, lesson: Lesson, terms: &[String], client: &str) {
        let taught = match lesson {
            Lesson::Confirmed => &mut self.confirmed,
            Lesson::Rejected => &mut self.rejected,
        };
        let words = taught.entry(path.to_string()).or_default();
        for term in terms {
            words
                .entry(term.clone())
                .or_default()
                .insert(client.to_string());
        }
    }

    /// The shipped form (see [`SHIPPED_FILE`]).
    pub fn to_json(&self) -> String {
        let counts = |taught: &Taught| {
            taught
                .iter()
                .map(|(path, words)| {
                    let words = words
                        .iter()
                        .map(|(w, clients)| (w.clone(), clients.len().min(self.cap as usize)))
                        .collect();
                    (path.clone(), words)
                })
                .collect()
        };
        let shipped = Shipped {
            cap: self.cap,
            confirmed: counts(&self.confirmed),
            rejected: counts(&self.rejected),
        };
        serde_json::to_string(&shipped).expect("learned counts serialise")
    }

    /// Reads the shipped form: each count becomes that many anonymous clients.
    pub fn from_json(text: &str) -> Result<Learned, serde_json::Error> {
        let shipped: Shipped = serde_json::from_str(text)?;
        let mut learned = Learned::new(shipped.cap);
        for (lesson, taught) in [
            (Lesson::Confirmed, shipped.confirmed),
            (Lesson::Rejected, shipped.rejected),
        ] {
            for (path, words) in taught {
                for (word, count) in words {
                    for n in 0..count {
                        learned.learn(&path, lesson, std::slice::from_ref(&word), &n.to_string());
                    }
                }
            }
        }
        Ok(learned)
    }

    /// The factor an article's search score is multiplied by for a ticket of `terms`: above 1
    /// when operators confirmed it for tickets with these words, below 1 when they rejected
    /// it, exactly 1 when nothing was learned of it.
    pub fn factor(&self, path: &str, terms: &[QueryTerm]) -> f32 {
        if self.is_empty() {
            return 1.0;
        }
        let confirmed = self.agreement(&self.confirmed, path, terms);
        let rejected = self.agreement(&self.rejected, path, terms);
        (1.0 + self.gain * confirmed) / (1.0 + self.loss * rejected)
    }

    /// The share (0..1) of the ticket's weight whose words were taught for `path`, each word
    /// counting by how many clients taught it, up to the cap.
    fn agreement(&self, taught: &Taught, path: &str, terms: &[QueryTerm]) -> f32 {
        let Some(words) = taught.get(path) else {
            return 0.0;
        };
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let (mut covered, mut total) = (0.0f32, 0.0f32);
        for t in terms {
            // The ticket's own words, each once: a typo correction or a synonym is not what
            // the operator confirmed.
            if t.origin != super::vocabulary::Origin::Exact || !seen.insert(&t.term) {
                continue;
            }
            total += t.idf;
            if let Some(clients) = words.get(&t.term) {
                covered += t.idf * clients.len().min(self.cap as usize) as f32 / self.cap as f32;
            }
        }
        if total > 0.0 {
            covered / total
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::vocabulary::Origin;

    fn terms(words: &[&str]) -> Vec<QueryTerm> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| QueryTerm {
                term: w.to_string(),
                word: w.to_string(),
                origin: Origin::Exact,
                position: i as u32,
                idf: 1.0,
            })
            .collect()
    }

    fn owned(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn nothing_learned_changes_nothing() {
        let learned = Learned::new(3);
        assert_eq!(learned.factor("a.md", &terms(&["палк", "скор"])), 1.0);
    }

    #[test]
    fn confirmations_raise_and_rejections_lower_by_the_share_of_words() {
        let mut learned = Learned::new(2);
        learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), "1");
        learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), "2");
        learned.learn("b.md", Lesson::Rejected, &owned(&["палк"]), "1");
        let ticket = terms(&["палк", "скор", "поднима", "шлагбаум"]);
        // Half the ticket's weight, confirmed by the cap of two clients.
        assert_eq!(learned.factor("a.md", &ticket), 1.0 + CONFIRMED_GAIN * 0.5);
        // A quarter of it, rejected by one client of two.
        assert_eq!(
            learned.factor("b.md", &ticket),
            1.0 / (1.0 + REJECTED_LOSS * 0.125)
        );
        assert_eq!(learned.factor("c.md", &ticket), 1.0);
    }

    #[test]
    fn the_shipped_form_keeps_the_factors_and_no_client() {
        let mut learned = Learned::new(2);
        for client in ["anna", "boris", "vera"] {
            learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), client);
        }
        learned.learn("b.md", Lesson::Rejected, &owned(&["палк"]), "anna");
        let json = learned.to_json();
        assert!(!json.contains("anna"), "{json}");
        let shipped = Learned::from_json(&json).unwrap();
        let ticket = terms(&["палк", "скор", "шлагбаум"]);
        for path in ["a.md", "b.md", "c.md"] {
            assert_eq!(shipped.factor(path, &ticket), learned.factor(path, &ticket));
        }
        assert_eq!(shipped.to_json(), json, "deterministic");
    }

    #[test]
    fn one_client_counts_once_however_often_it_votes() {
        let mut flooded = Learned::new(3);
        for _ in 0..1000 {
            flooded.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "hostile");
        }
        let mut once = Learned::new(3);
        once.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "hostile");
        let ticket = terms(&["палк"]);
        assert_eq!(
            flooded.factor("a.md", &ticket),
            once.factor("a.md", &ticket)
        );
        assert_eq!(once.factor("a.md", &ticket), 1.0 + CONFIRMED_GAIN / 3.0);
    }
}
