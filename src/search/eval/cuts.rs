//! Where `confident` is cut: the held-out figures at each value `[suggest] min_probability`
//! could take, and the cut tuning recommends (the lowest that keeps enough out-of-scope
//! tickets not confident in every base), so a department chooses its cut from measured
//! figures rather than by feel.

use super::{Metrics, Outcome, Ticket};
use crate::search::calibrate::ConfidenceModel;
use crate::search::suggest::SuggestOptions;

/// Where `[suggest] min_probability` may cut, as tuning measures each on the held-out folds.
/// A fortieth apart: between 0.4 and 0.45 the shipped model's answerable tickets confident fall
/// from 0.87 to 0.84 (BENCHMARKS.md, session 31), too coarse to choose on.
pub const CUTS: [f32; 11] = [
    0.35, 0.375, 0.4, 0.425, 0.45, 0.475, 0.5, 0.525, 0.55, 0.575, 0.6,
];

/// The share of out-of-scope tickets that must stay not confident, held out, in every base, at
/// the cut [`ByCut::recommended`] names: an operator escalates on «nothing fits», so a wrong
/// «this is it» costs more than a missed one.
pub const OUT_OF_SCOPE_NOT_CONFIDENT: f64 = 0.90;

/// Per cut of [`CUTS`], per base, the held-out figures with `confident` cut there.
#[derive(Debug, Clone)]
pub struct ByCut(Vec<Vec<Metrics>>);

/// The cut [`ByCut::recommended`] names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recommended {
    pub cut: f32,
    /// The target holds there; when no cut reaches it, the most cautious cut is named.
    pub holds: bool,
}

impl ByCut {
    /// No tickets counted yet, for `bases` bases.
    pub fn new(bases: usize) -> ByCut {
        ByCut(vec![vec![Metrics::default(); bases]; CUTS.len()])
    }

    /// Counts a held-out ticket of `base` at every cut.
    pub fn add(
        &mut self,
        base: usize,
        ticket: &Ticket,
        outcome: &Outcome,
        (model, options): (&ConfidenceModel, SuggestOptions),
    ) {
        for (cut, metrics) in CUTS.iter().zip(&mut self.0) {
            metrics[base].add(ticket, outcome.ranked(model, options, *cut));
        }
    }

    /// Each cut with its figures, a [`Metrics`] per base.
    pub fn rows(&self) -> impl Iterator<Item = (f32, &[Metrics])> {
        CUTS.iter().copied().zip(self.0.iter().map(Vec::as_slice))
    }

    /// The lowest cut at which every base keeps [`OUT_OF_SCOPE_NOT_CONFIDENT`] of the
    /// out-of-scope tickets not confident, else the highest; `None` without out-of-scope
    /// tickets to measure it on.
    pub fn recommended(&self) -> Option<Recommended> {
        if self.0.first()?.iter().all(|m| m.out_of_scope == 0) {
            return None;
        }
        let holds = |metrics: &Vec<Metrics>| {
            metrics
                .iter()
                .all(|m| m.out_of_scope_rejected_share() >= OUT_OF_SCOPE_NOT_CONFIDENT)
        };
        let at = self.0.iter().position(holds);
        Some(Recommended {
            cut: CUTS[at.unwrap_or(CUTS.len() - 1)],
            holds: at.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures of two bases at every cut, with `not_confident(base, cut)` of ten out-of-scope
    /// tickets not confident (`cut` the index into [`CUTS`]).
    fn by_cut(not_confident: impl Fn(usize, usize) -> usize) -> ByCut {
        let mut out = ByCut::new(2);
        for (cut, bases) in out.0.iter_mut().enumerate() {
            for (base, m) in bases.iter_mut().enumerate() {
                m.out_of_scope = 10;
                m.out_of_scope_not_confident = not_confident(base, cut);
            }
        }
        out
    }

    #[test]
    fn the_recommended_cut_is_the_lowest_that_holds_in_every_base() {
        // The first base holds from the third cut, the grown one only from the fourth.
        let figures = by_cut(|base, cut| (7 + cut - base).min(10));
        let holds = |cut| Some(Recommended { cut, holds: true });
        assert_eq!(figures.recommended(), holds(CUTS[3]));
        // Nowhere: the most cautious cut, and said so.
        let figures = by_cut(|base, _| [5, 9][base]);
        let fallback = Recommended {
            cut: CUTS[CUTS.len() - 1],
            holds: false,
        };
        assert_eq!(figures.recommended(), Some(fallback));
        // No out-of-scope tickets at all: nothing to choose on.
        assert_eq!(ByCut::new(2).recommended(), None);
    }
}
