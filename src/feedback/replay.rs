//! The fold replay: what operators' feedback does for suggest, measured on tickets neither the
//! model nor the feedback has seen. For each fold of a labelled ticket set, the model is fitted
//! on the other folds (as `spravka tune` does without `--distractors`), the tickets of the
//! next fold are replayed as an operator would vote on them — «Помогло» on the expected
//! article, «Не то» on a wrong top suggestion — and the held-out fold is measured before and
//! after. A hostile client is
//! measured too: on every held-out ticket it confirms the best-placed wrong article and
//! rejects the right one, the strongest thing one client can do; the cap bounds it.

use super::privacy::ticket_terms;
use crate::search::article_model::BaseTexts;
use crate::search::eval::{fold_models, outcome_learning, Metrics, Ticket};
use crate::search::learned::{Learned, Lesson};
use crate::search::suggest::order;
use crate::search::{SearchEngine, SuggestModel, SuggestOptions};

/// The held-out figures without feedback, with the replayed feedback, and with it plus one
/// hostile client.
pub struct Replay {
    pub before: Metrics,
    pub after: Metrics,
    pub hostile: Metrics,
    /// Votes replayed, over all folds.
    pub votes: usize,
}

/// How learning is set for the replay: the cap of distinct clients and the two gains.
#[derive(Debug, Clone, Copy)]
pub struct Learning {
    pub cap: u32,
    pub gain: f32,
    pub loss: f32,
}

pub fn replay(
    engine: &SearchEngine,
    texts: &BaseTexts,
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
    learning: Learning,
) -> Replay {
    let (fold_of, models) = fold_models(engine, texts, tickets, options, folds);
    let folds = models.len();
    let mut out = Replay {
        before: Metrics::default(),
        after: Metrics::default(),
        hostile: Metrics::default(),
        votes: 0,
    };
    for (test, model) in models.iter().enumerate() {
        let fold_of = &fold_of;
        let fold = |f: usize| (0..tickets.len()).filter(move |&i| fold_of[i] == f);
        let mut honest = Learned::with_gains(learning.cap, learning.gain, learning.loss);
        for i in fold((test + 1) % folds) {
            out.votes += vote_as_an_operator(engine, &tickets[i], options, model, &mut honest);
        }
        let mut hostile = honest.clone();
        for i in fold(test) {
            attack(engine, &tickets[i], options, model, &mut hostile);
        }
        let min = engine.min_probability();
        for i in fold(test) {
            let t = &tickets[i];
            for (learned, metrics) in [
                (&Learned::default(), &mut out.before),
                (&honest, &mut out.after),
                (&hostile, &mut out.hostile),
            ] {
                let outcome = outcome_learning(engine, t, options, model, learned);
                metrics.add(t, outcome.ranked(&model.confidence, options, min));
            }
        }
    }
    out
}

/// The paths of a ticket's suggestions in suggest's order, and whether each is expected.
fn suggested(
    engine: &SearchEngine,
    ticket: &Ticket,
    options: SuggestOptions,
    model: &SuggestModel,
) -> Vec<(String, bool)> {
    let outcome = outcome_learning(engine, ticket, options, model, &Learned::default());
    let searcher = engine.searcher();
    order(&outcome.candidates, options)
        .into_iter()
        .map(|i| {
            let path = engine.path_of(&searcher, outcome.candidates[i].address);
            (path, outcome.expected[i])
        })
        .collect()
}

/// An operator's votes on one ticket: «Помогло» on its answer, «Не то» on a wrong top
/// suggestion. How many votes that was.
fn vote_as_an_operator(
    engine: &SearchEngine,
    ticket: &Ticket,
    options: SuggestOptions,
    model: &SuggestModel,
    learned: &mut Learned,
) -> usize {
    let terms = ticket_terms(&ticket.text);
    let mut votes = 0;
    if let Some(answer) = ticket.expected.first() {
        learned.learn(answer, Lesson::Confirmed, &terms, &ticket.id);
        votes += 1;
    }
    if let Some((top, false)) = suggested(engine, ticket, options, model).first() {
        learned.learn(top, Lesson::Rejected, &terms, &ticket.id);
        votes += 1;
    }
    votes
}

/// One hostile client on one ticket: the best-placed wrong article confirmed, the answer
/// rejected.
fn attack(
    engine: &SearchEngine,
    ticket: &Ticket,
    options: SuggestOptions,
    model: &SuggestModel,
    learned: &mut Learned,
) {
    let terms = ticket_terms(&ticket.text);
    let suggestions = suggested(engine, ticket, options, model);
    if let Some((wrong, _)) = suggestions.iter().find(|(_, expected)| !expected) {
        learned.learn(wrong, Lesson::Confirmed, &terms, "hostile");
    }
    for answer in &ticket.expected {
        learned.learn(answer, Lesson::Rejected, &terms, "hostile");
    }
}
