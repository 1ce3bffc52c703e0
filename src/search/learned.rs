//! What operators taught suggest: per article, the tickets it was confirmed for («Помогло»)
//! and rejected for («Не то»), as their analysed words, by client. Suggest multiplies an
//! article's search score by how closely a new ticket resembles those tickets, so a confirmed
//! answer rises for tickets like the confirmed one — and only for those: an article confirmed
//! for many different tickets does not gain on every ticket that shares a common word with
//! one of them (the union of their words did, and lost Recall@1 in the fold replay).
//!
//! Counting clients rather than votes, and capping them, bounds what anyone can do: a client
//! counts with its one closest ticket, however many it sends, no lesson counts until
//! [`MIN_CLIENTS`] clients agree, and [`Learned::cap`] clients are the most that count
//! (`tests/learning.rs` pins them).

use super::vocabulary::{Origin, QueryTerm};
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

/// How much a full agreement moves an article's score: a ticket equal to one that `cap`
/// clients confirmed multiplies the score by `1 + CONFIRMED_GAIN`; one that `cap` clients
/// rejected divides it by `1 + REJECTED_LOSS`. Chosen by the fold replay of the project's
/// tickets (`examples/feedback_replay`, BENCHMARKS.md "Feedback"): 1, 2 and 4 left the
/// held-out figures alike (within a ticket or two), and 1 lets a hostile client do the least.
pub const CONFIRMED_GAIN: f32 = 1.0;
pub const REJECTED_LOSS: f32 = 1.0;

/// Fewer distinct clients than this agreeing with a ticket teach nothing about it: one
/// client, however many votes it sends, cannot move an article alone (a hostile script that
/// votes on the very tickets operators paste did, in the fold replay, halve Recall@1 without
/// this rule).
pub const MIN_CLIENTS: usize = 2;

/// The tickets of one client kept for one article and lesson, at most (the first ones).
pub const MAX_TICKETS_PER_CLIENT: usize = 20;

/// Per article path, per client: the distinct tickets it taught, each its words' ids, sorted.
type Taught = HashMap<String, BTreeMap<String, BTreeSet<Vec<u32>>>>;

/// The file `spravka build` writes beside the index, what `spravka suggest` reads.
pub const SHIPPED_FILE: &str = "learned.json";

/// What is learned as shipped: per article, the taught tickets' words, each with the number of
/// its client in a sorted list — the file carries no one's identity, and whether two tickets
/// came from one client is all that [`Learned::factor`] reads of clients. Sorted, so the same
/// feedback ships the same bytes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    cap: u32,
    confirmed: BTreeMap<String, Vec<(usize, Vec<String>)>>,
    rejected: BTreeMap<String, Vec<(usize, Vec<String>)>>,
}

#[derive(Debug, Clone, Default)]
pub struct Learned {
    cap: u32,
    gain: f32,
    loss: f32,
    confirmed: Taught,
    rejected: Taught,
    /// Every taught word's id, and the words by id: tickets are compared as sorted ids (a
    /// merge of integers), which took learning's cost in suggest from +0.1 ms at 10,000
    /// pages (a hash look-up per taught word) to less than its noise.
    ids: HashMap<String, u32>,
    words: Vec<String>,
}

impl Learned {
    /// Nothing learned yet; at most `cap` distinct clients count for an article.
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
        let mut ticket: Vec<u32> = terms.iter().map(|t| self.id(t)).collect();
        ticket.sort_unstable();
        ticket.dedup();
        if ticket.is_empty() {
            return;
        }
        let taught = match lesson {
            Lesson::Confirmed => &mut self.confirmed,
            Lesson::Rejected => &mut self.rejected,
        };
        let tickets = taught
            .entry(path.to_string())
            .or_default()
            .entry(client.to_string())
            .or_default();
        // A client counts with its one closest ticket, so more of its tickets add little
        // but cost every suggest a comparison each: a client's flood stops here.
        if tickets.len() < MAX_TICKETS_PER_CLIENT {
            tickets.insert(ticket);
        }
    }

    /// The id of `word`, given one if it has none.
    fn id(&mut self, word: &str) -> u32 {
        if let Some(&id) = self.ids.get(word) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(word.to_string());
        self.ids.insert(word.to_string(), id);
        id
    }

    /// A ticket's words again, sorted.
    fn words_of(&self, ticket: &[u32]) -> Vec<String> {
        let mut words: Vec<String> = ticket
            .iter()
            .map(|&i| self.words[i as usize].clone())
            .collect();
        words.sort();
        words
    }

    /// The shipped form (see [`SHIPPED_FILE`]).
    pub fn to_json(&self) -> String {
        let clients: BTreeSet<&String> = [&self.confirmed, &self.rejected]
            .into_iter()
            .flat_map(|t| t.values().flat_map(|by_client| by_client.keys()))
            .collect();
        let number: HashMap<&String, usize> = clients
            .into_iter()
            .enumerate()
            .map(|(n, c)| (c, n))
            .collect();
        let shipped = |taught: &Taught| {
            taught
                .iter()
                .map(|(path, by_client)| {
                    let tickets = by_client
                        .iter()
                        .flat_map(|(c, tickets)| {
                            tickets.iter().map(|t| (number[c], self.words_of(t)))
                        })
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    (path.clone(), tickets)
                })
                .collect()
        };
        let shipped = Shipped {
            cap: self.cap,
            confirmed: shipped(&self.confirmed),
            rejected: shipped(&self.rejected),
        };
        serde_json::to_string(&shipped).expect("learned tickets serialise")
    }

    /// Reads the shipped form.
    pub fn from_json(text: &str) -> Result<Learned, serde_json::Error> {
        let shipped: Shipped = serde_json::from_str(text)?;
        let mut learned = Learned::new(shipped.cap);
        for (lesson, taught) in [
            (Lesson::Confirmed, shipped.confirmed),
            (Lesson::Rejected, shipped.rejected),
        ] {
            for (path, tickets) in taught {
                for (client, terms) in tickets {
                    learned.learn(&path, lesson, &terms, &client.to_string());
                }
            }
        }
        Ok(learned)
    }

    /// The factor an article's search score is multiplied by for a ticket of `terms`: above 1
    /// when operators confirmed it for tickets like this one, below 1 when they rejected it,
    /// exactly 1 when nothing was learned of it.
    pub fn factor(&self, path: &str, terms: &[QueryTerm]) -> f32 {
        self.factors(terms)(path)
    }

    /// [`Learned::factor`] for one ticket and many articles: the ticket is read once.
    pub fn factors<'a>(&'a self, terms: &'a [QueryTerm]) -> impl Fn(&str) -> f32 + 'a {
        let ticket = (!self.is_empty()).then(|| TicketWords::new(terms, &self.ids));
        move |path| match &ticket {
            Some(ticket) => self.ticket_factor(path, ticket),
            None => 1.0,
        }
    }

    fn ticket_factor(&self, path: &str, ticket: &TicketWords) -> f32 {
        if !self.confirmed.contains_key(path) && !self.rejected.contains_key(path) {
            return 1.0;
        }
        let confirmed = self.agreement(&self.confirmed, path, ticket);
        let rejected = self.agreement(&self.rejected, path, ticket);
        (1.0 + self.gain * confirmed) / (1.0 + self.loss * rejected)
    }

    /// How much (0..1) the clients who taught `path` agree with the ticket: each client counts
    /// with its ticket most like this one, the `cap` closest clients are summed, over the cap.
    fn agreement(&self, taught: &Taught, path: &str, ticket: &TicketWords) -> f32 {
        let Some(by_client) = taught.get(path) else {
            return 0.0;
        };
        let mut closest: Vec<f32> = by_client
            .values()
            .map(|tickets| {
                tickets
                    .iter()
                    .map(|t| ticket.similarity(t))
                    .fold(0.0, f32::max)
            })
            .collect();
        closest.retain(|&s| s > 0.0);
        if closest.len() < MIN_CLIENTS {
            return 0.0;
        }
        closest.sort_by(|a, b| b.total_cmp(a));
        closest.iter().take(self.cap as usize).sum::<f32>() / self.cap as f32
    }
}

/// A new ticket's own words (not typo corrections or synonyms: those are not what operators
/// confirmed) that were ever taught, as ids with their weights, sorted; and the weight of all
/// its words.
struct TicketWords {
    taught: Vec<(u32, f32)>,
    total: f32,
}

impl TicketWords {
    fn new(terms: &[QueryTerm], ids: &HashMap<String, u32>) -> TicketWords {
        let mut seen: HashMap<&str, f32> = HashMap::new();
        for t in terms.iter().filter(|t| t.origin == Origin::Exact) {
            seen.insert(t.term.as_str(), t.idf);
        }
        let total = seen.values().sum();
        let mut taught: Vec<(u32, f32)> = seen
            .into_iter()
            .filter_map(|(w, idf)| ids.get(w).map(|&id| (id, idf)))
            .collect();
        taught.sort_unstable_by_key(|&(id, _)| id);
        TicketWords { taught, total }
    }

    /// How alike (0..1) this ticket and a taught one are: the share of this ticket's weight
    /// the taught one has, times the share of the taught one's words this one has — a short
    /// taught ticket inside a long new one, or the reverse, is a partial match.
    fn similarity(&self, taught: &[u32]) -> f32 {
        if self.total <= 0.0 || taught.is_empty() {
            return 0.0;
        }
        let (mut i, mut j) = (0, 0);
        let (mut weight, mut shared) = (0.0f32, 0usize);
        while i < self.taught.len() && j < taught.len() {
            match self.taught[i].0.cmp(&taught[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    weight += self.taught[i].1;
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        (weight / self.total) * (shared as f32 / taught.len() as f32)
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
    fn confirmations_raise_and_rejections_lower_by_likeness() {
        let mut learned = Learned::new(2);
        learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), "1");
        learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), "2");
        learned.learn("b.md", Lesson::Rejected, &owned(&["палк"]), "1");
        learned.learn("b.md", Lesson::Rejected, &owned(&["палк", "шлагбаум"]), "2");
        let ticket = terms(&["палк", "скор", "поднима", "шлагбаум"]);
        // Half the ticket's weight, confirmed by the cap of two clients.
        assert_eq!(learned.factor("a.md", &ticket), 1.0 + CONFIRMED_GAIN * 0.5);
        // A quarter of it rejected by one client, half of it by the other.
        assert_eq!(
            learned.factor("b.md", &ticket),
            1.0 / (1.0 + REJECTED_LOSS * (0.25 + 0.5) / 2.0)
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
    fn a_ticket_taught_for_many_others_is_not_a_word_list() {
        // Confirmed for two different tickets: a third that shares a word with each is not
        // like either.
        let mut learned = Learned::new(2);
        for client in ["1", "2"] {
            learned.learn("a.md", Lesson::Confirmed, &owned(&["палк", "скор"]), client);
            learned.learn(
                "a.md",
                Lesson::Confirmed,
                &owned(&["шлагбаум", "пожарн"]),
                client,
            );
        }
        let mixed = terms(&["скор", "пожарн"]);
        assert_eq!(learned.factor("a.md", &mixed), 1.0 + CONFIRMED_GAIN * 0.25);
    }

    #[test]
    fn one_client_counts_once_however_often_it_votes() {
        let honest = |learned: &mut Learned| {
            learned.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "honest")
        };
        let mut flooded = Learned::new(3);
        honest(&mut flooded);
        for i in 0..1000 {
            let words = ["палк".to_string(), format!("слово{i}")];
            flooded.learn("a.md", Lesson::Confirmed, &words, "hostile");
            flooded.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "hostile");
        }
        let mut once = Learned::new(3);
        honest(&mut once);
        once.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "hostile");
        let ticket = terms(&["палк"]);
        assert_eq!(
            flooded.factor("a.md", &ticket),
            once.factor("a.md", &ticket)
        );
        assert_eq!(
            once.factor("a.md", &ticket),
            1.0 + CONFIRMED_GAIN * 2.0 / 3.0
        );
    }

    #[test]
    fn one_client_alone_teaches_nothing() {
        let mut alone = Learned::new(3);
        for _ in 0..1000 {
            alone.learn("a.md", Lesson::Confirmed, &owned(&["палк"]), "hostile");
            alone.learn("b.md", Lesson::Rejected, &owned(&["палк"]), "hostile");
        }
        let ticket = terms(&["палк"]);
        assert_eq!(alone.factor("a.md", &ticket), 1.0);
        assert_eq!(alone.factor("b.md", &ticket), 1.0);
    }
}
