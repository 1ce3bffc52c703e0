//! What a ticket's words say about it, before any article is found: a logistic regression
//! over its word stems, fitted by `spravka tune` on labelled tickets. Suggest reads two:
//! the intent (an operator's question about the support process, such as priority, SLA,
//! escalation, closing or what to answer a customer, rather than a customer's own problem; a
//! ticket is procedural when a regulation answers it) and the scope (a ticket the base
//! answers at all, rather than another service's SMS, a job application or a sales offer).
//!
//! Learned rather than a list of cue words: an operator's question is told by its voice
//! («клиент пишет…, что ему ответить?», «ставлю средний, норм?») as much as by its terms, and
//! a request the department does not serve by what it asks for («купить», «вакансия»,
//! «квитанция») rather than by the base's own words it borrows; a hand-kept list tuned on the
//! project's tickets is a number nobody cross-validated. Written by hand for the same reason
//! as `calibrate`: a sparse fit of a few hundred weights is a few lines, and a crate would
//! bring a linear-algebra stack for it.

use super::analyzer::word_stems;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The pseudo-word a question mark adds: operators ask, customers often only report.
const QUESTION: &str = "?";

/// L2 penalty on the mean log loss: a word seen in a handful of tickets cannot carry the
/// decision alone, so a topic word shared by chance with the training questions stays weak.
const L2: f64 = 0.0005;
const STEPS: usize = 3000;
const LEARNING_RATE: f64 = 1.0;
/// Weights smaller than this are left out of the model file (they change no decision).
const KEEP_FROM: f64 = 0.05;

/// A fitted model: a bias and one weight per word stem present in the ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordModel {
    pub bias: f32,
    /// Positive: the word makes the label likelier (a procedural question, a ticket in scope).
    pub words: BTreeMap<String, f32>,
}

impl WordModel {
    /// The probability (0..1) that `ticket` (its problem part) has the label the model was
    /// fitted for.
    pub fn probability(&self, ticket: &str) -> f32 {
        self.probability_of(&TicketWords::read(ticket))
    }

    /// [`probability`](Self::probability) of a ticket's words read already.
    pub fn probability_of(&self, words: &TicketWords) -> f32 {
        let z: f32 = self.bias
            + words
                .0
                .iter()
                .filter_map(|w| self.words.get(w))
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// A ticket's words as the intent, scope and article models read them ([`signals`]): read
/// once per ticket and shared by the three.
#[derive(Debug)]
pub struct TicketWords(pub(super) BTreeSet<String>);

impl TicketWords {
    /// The words of `ticket` (its problem part, as `SearchEngine::intent_text` gives it).
    pub fn read(ticket: &str) -> TicketWords {
        TicketWords(signals(ticket))
    }
}

/// What the model reads of a ticket: its distinct word stems, and whether it asks (the
/// article model reads the same).
pub(super) fn signals(ticket: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = word_stems(ticket).into_iter().collect();
    if ticket.contains('?') {
        out.insert(QUESTION.to_string());
    }
    out
}

/// Fits the model to tickets labelled `true` (procedural, in scope) or not, by full-batch gradient
/// descent on the mean log loss plus [`L2`]. Deterministic.
pub fn fit(tickets: &[(&str, bool)]) -> WordModel {
    let mut vocabulary: BTreeMap<String, usize> = BTreeMap::new();
    let rows: Vec<Vec<usize>> = tickets
        .iter()
        .map(|(text, _)| {
            signals(text)
                .into_iter()
                .map(|w| {
                    let next = vocabulary.len();
                    *vocabulary.entry(w).or_insert(next)
                })
                .collect()
        })
        .collect();
    let n = tickets.len().max(1) as f64;
    let positives = tickets.iter().filter(|t| t.1).count() as f64;
    let prior = (positives / n).clamp(1e-3, 1.0 - 1e-3);
    let mut bias = (prior / (1.0 - prior)).ln();
    let mut weights = vec![0.0f64; vocabulary.len()];
    for _ in 0..STEPS {
        let mut gradient = vec![0.0f64; weights.len()];
        let mut gradient_bias = 0.0;
        for (row, (_, label)) in rows.iter().zip(tickets) {
            let z = bias + row.iter().map(|&i| weights[i]).sum::<f64>();
            let error = 1.0 / (1.0 + (-z).exp()) - f64::from(u8::from(*label));
            gradient_bias += error / n;
            for &i in row {
                gradient[i] += error / n;
            }
        }
        bias -= LEARNING_RATE * gradient_bias;
        for (w, g) in weights.iter_mut().zip(&gradient) {
            *w -= LEARNING_RATE * (g + L2 * *w);
        }
    }
    WordModel {
        bias: bias as f32,
        words: vocabulary
            .into_iter()
            .filter(|&(_, i)| weights[i].abs() >= KEEP_FROM)
            .map(|(w, i)| (w, weights[i] as f32))
            .collect(),
    }
}

/// The folds of [`held_out`]: as many as `spravka tune`'s own cross-validation, so that an
/// inner model is fitted on about the share of tickets the outer one is.
const HELD_OUT_FOLDS: usize = 5;

/// The probability of its label of each ticket of `train` (in its order), each from a model
/// fitted on the rest of `train` ([`HELD_OUT_FOLDS`] folds).
///
/// A model asked about its own training tickets is sure of nearly every one, so numbers tuned
/// on those probabilities (where to cut, how far to lift a regulation, how much the confidence
/// model trusts the intent fit or the scope) assumed a model far better than the one a new
/// ticket meets (BENCHMARKS.md, 2026-12-04, session 15).
pub fn held_out(texts: &[String], labels: &[bool], train: &[usize]) -> Vec<f32> {
    let mut out = vec![0.0; train.len()];
    for inner in 0..HELD_OUT_FOLDS.min(train.len()) {
        let rows: Vec<(&str, bool)> = (0..train.len())
            .filter(|n| n % HELD_OUT_FOLDS != inner)
            .map(|n| (texts[train[n]].as_str(), labels[train[n]]))
            .collect();
        let model = fit(&rows);
        for n in (inner..train.len()).step_by(HELD_OUT_FOLDS) {
            out[n] = model.probability(&texts[train[n]]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_learns_an_operators_voice_and_generalises_to_a_new_question() {
        let tickets = [
            (
                "клиент пишет, что не приходит смс. какой приоритет ставить?",
                true,
            ),
            ("житель жалуется на шлагбаум, что ему ответить?", true),
            ("клиент молчит третий день, можно закрыть обращение?", true),
            ("когда эскалировать на разработку, если клиент ждёт?", true),
            ("не приходит смс с кодом", false),
            ("шлагбаум не открывается по номеру машины", false),
            ("у меня не работает приложение после обновления", false),
            ("охрана не видит мой пропуск на посту", false),
            ("не могу войти в личный кабинет, пишет ошибку", false),
            ("пропуск для курьера не создаётся", false),
        ];
        let model = fit(&tickets);
        for (text, label) in tickets {
            assert_eq!(model.probability(text) >= 0.5, label, "{text}");
        }
        assert!(model.probability("клиент просит вернуть деньги, что ему ответить?") > 0.5);
        assert!(model.probability("не открывается шлагбаум у меня") < 0.5);
    }

    /// A ticket's held-out probability comes from a model that never saw it: relabelling the
    /// ticket leaves its own probability alone (the tuning then meets the intent model a new
    /// ticket meets), while the model fitted on it would follow the label. Every training
    /// ticket gets one, at its place in `train` (not its index among all tickets), and the
    /// models still tell the two voices apart.
    #[test]
    fn a_held_out_probability_does_not_know_its_own_label() {
        let mut texts: Vec<String> = Vec::new();
        let mut labels = Vec::new();
        for n in 0..8 {
            texts.push(format!(
                "клиент пишет про тикет {n}, какой приоритет ставить?"
            ));
            labels.push(true);
            texts.push(format!("не открывается шлагбаум у дома {n}"));
            labels.push(false);
        }
        texts.push("снегоуборщик завалил въезд".to_string());
        labels.push(false);
        let odd = texts.len() - 1;
        // Not the identity: a ticket left out, the rest in another order.
        let mut train: Vec<usize> = (1..texts.len()).collect();
        train.reverse();
        let before = held_out(&texts, &labels, &train);
        assert_eq!(before.len(), train.len());
        for (&i, &p) in train.iter().zip(&before) {
            if i != odd {
                assert_eq!(p >= 0.5, labels[i], "{}: {p}", texts[i]);
            }
        }
        labels[odd] = true;
        let after = held_out(&texts, &labels, &train);
        let at = train.iter().position(|&i| i == odd).unwrap();
        assert_eq!(before[at], after[at]);
        let rows: Vec<(&str, bool)> = train
            .iter()
            .map(|&i| (texts[i].as_str(), labels[i]))
            .collect();
        let in_sample = fit(&rows).probability(&texts[odd]);
        assert!(
            in_sample > after[at] + 0.2,
            "{in_sample} against {}",
            after[at]
        );
    }

    #[test]
    fn an_empty_model_leans_to_the_prior() {
        let model = fit(&[("x", false), ("y", false), ("z", true)]);
        assert!(model.probability("совсем новое") < 0.5);
    }

    #[test]
    fn the_shipped_model_tells_procedural_questions_from_customer_problems() {
        let shipped = crate::search::SuggestModel::default();
        let (model, cut) = (shipped.intent, shipped.ranking.procedural_from);
        for q in [
            "клиент третий день молчит, можно закрыть тикет?",
            "какой приоритет ставить, если у всего ЖК не открывается шлагбаум?",
        ] {
            assert!(model.probability(q) >= cut, "{q}: {}", model.probability(q));
        }
        for t in [
            "не приходит смс с кодом, что делать?",
            "шлагбаум не открывается по номеру машины",
            "Я отправила обращение неделю назад, ответа нет, пропуск не работает",
        ] {
            assert!(model.probability(t) < cut, "{t}: {}", model.probability(t));
        }
    }

    /// The shipped scope model reads what a message asks for: a tax certificate, a sales
    /// enquiry, a neighbour's leak are outside the base (none of the project's tickets is about
    /// them); the base's own problems, however briefly put, are inside.
    #[test]
    fn the_shipped_scope_model_tells_other_requests_from_the_bases_problems() {
        let scope = crate::search::SuggestModel::default()
            .scope
            .expect("the shipped model has a scope model");
        for outside in [
            "Мне нужна справка для налоговой о вычете за квартиру, подскажите, где её взять?",
            "Продаёте ли вы видеодомофоны для частного дома? Нужна цена с установкой",
            "У соседа сверху течёт вода на мой балкон, кому звонить?",
        ] {
            let p = scope.probability(outside);
            assert!(p < 0.5, "{outside}: {p}");
        }
        for inside in [
            "не открывается шлагбаум по номеру машины",
            "охранник не видит гостевой пропуск на посту",
            "не приходит смс с кодом при входе в приложение",
            "гость приехал, а пропуск на него не создаётся, пишет ошибку",
        ] {
            let p = scope.probability(inside);
            assert!(p >= 0.5, "{inside}: {p}");
        }
    }
}
