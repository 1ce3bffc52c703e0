//! Tickets (or searches) grouped by the words they share, simply enough to explain in one
//! sentence: the pair of words shared by the most remaining tickets forms a group, again and
//! again; when no pair is shared by two tickets, the single word shared by the most; tickets
//! that share nothing stay on their own, named by the words they share with others, or by
//! their own words when they have three at most (a search query), else by none. Ties go to
//! the rarer words (the more specific topic), then to alphabetical order, so the same rows
//! always give the same groups.

use std::collections::{BTreeSet, HashMap};

/// Words of one ticket considered for pairs: its most shared ones. Caps the pairs of a long
/// ticket at 66, whatever its length.
const PAIR_WORDS: usize = 12;

/// One group: the words its tickets share, and the tickets (indices into the input, in input
/// order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouped {
    pub key: Vec<String>,
    pub members: Vec<usize>,
}

/// Groups `items` (each a ticket's words), largest group first, at most `max_groups`; the
/// tickets of groups past the cap are in none.
pub fn group(items: &[&[String]], max_groups: usize) -> Vec<Grouped> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    let sets: Vec<BTreeSet<&str>> = items
        .iter()
        .map(|terms| terms.iter().map(String::as_str).collect())
        .collect();
    for set in &sets {
        for term in set {
            *df.entry(term).or_default() += 1;
        }
    }
    // Per ticket, its words shared with another ticket, most shared first.
    let shared: Vec<Vec<&str>> = sets
        .iter()
        .map(|set| {
            let mut words: Vec<&str> = set.iter().copied().filter(|t| df[t] >= 2).collect();
            words.sort_by(|a, b| df[b].cmp(&df[a]).then(a.cmp(b)));
            words
        })
        .collect();
    let mut left: Vec<usize> = (0..items.len()).collect();
    let mut groups = Vec::new();
    while groups.len() < max_groups {
        let Some(key) = best_pair(&shared, &left, &df).or_else(|| best_word(&shared, &left, &df))
        else {
            break;
        };
        let (members, rest): (Vec<usize>, Vec<usize>) = left
            .iter()
            .partition(|&&i| key.iter().all(|k| sets[i].contains(k)));
        left = rest;
        groups.push(Grouped {
            key: key.iter().map(|k| k.to_string()).collect(),
            members,
        });
    }
    for i in left {
        if groups.len() >= max_groups {
            break;
        }
        let mut words = if !shared[i].is_empty() {
            shared[i][..shared[i].len().min(2)].to_vec()
        } else if sets[i].len() <= 3 {
            sets[i].iter().copied().collect()
        } else {
            vec![]
        };
        words.sort_unstable();
        groups.push(Grouped {
            key: words.iter().map(|w| w.to_string()).collect(),
            members: vec![i],
        });
    }
    groups
}

/// The pair of words shared by the most tickets of `left`, if two share one.
fn best_pair<'a>(
    shared: &[Vec<&'a str>],
    left: &[usize],
    df: &HashMap<&str, usize>,
) -> Option<Vec<&'a str>> {
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    for &i in left {
        let words = &shared[i][..shared[i].len().min(PAIR_WORDS)];
        for (n, a) in words.iter().enumerate() {
            for b in &words[n + 1..] {
                let pair = if a < b { (*a, *b) } else { (*b, *a) };
                *counts.entry(pair).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, count)| count >= 2)
        .min_by(|(p, c), (q, d)| {
            d.cmp(c)
                .then((df[p.0] + df[p.1]).cmp(&(df[q.0] + df[q.1])))
                .then(p.cmp(q))
        })
        .map(|((a, b), _)| vec![a, b])
}

/// The word shared by the most tickets of `left`, if two share one.
fn best_word<'a>(
    shared: &[Vec<&'a str>],
    left: &[usize],
    df: &HashMap<&str, usize>,
) -> Option<Vec<&'a str>> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &i in left {
        for word in &shared[i] {
            *counts.entry(word).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|&(_, count)| count >= 2)
        .min_by(|(a, c), (b, d)| d.cmp(c).then(df[a].cmp(&df[b])).then(a.cmp(b)))
        .map(|(word, _)| vec![word])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(lines: &[&str]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.split_whitespace().map(String::from).collect())
            .collect()
    }

    fn grouped(lines: &[&str], max: usize) -> Vec<(String, Vec<usize>)> {
        let owned = items(lines);
        let refs: Vec<&[String]> = owned.iter().map(Vec::as_slice).collect();
        group(&refs, max)
            .into_iter()
            .map(|g| (g.key.join("+"), g.members))
            .collect()
    }

    #[test]
    fn the_pair_shared_by_most_tickets_comes_first() {
        let groups = grouped(
            &[
                "ветеринар пропуск собак",
                "шлагбаум сломан ветер",
                "ветеринар пропуск кошк",
                "ветеринар пропуск",
                "шлагбаум сломан",
                "оплат карт",
            ],
            10,
        );
        assert_eq!(
            groups,
            [
                ("ветеринар+пропуск".to_string(), vec![0, 2, 3]),
                ("сломан+шлагбаум".to_string(), vec![1, 4]),
                ("карт+оплат".to_string(), vec![5]),
            ]
        );
    }

    #[test]
    fn a_single_shared_word_groups_when_no_pair_is_shared() {
        let groups = grouped(
            &["шлагбаум ветер", "шлагбаум сосулька", "курьер", "а б в г"],
            10,
        );
        assert_eq!(groups[0], ("шлагбаум".to_string(), vec![0, 1]));
        assert_eq!(groups[1], ("курьер".to_string(), vec![2]));
        // Four words of its own, none shared: no name says more than its example.
        assert_eq!(groups[2], (String::new(), vec![3]));
    }

    #[test]
    fn ties_go_to_the_rarer_words_then_the_alphabet() {
        // «приложен» is in every ticket: the pairs without it are as large and more specific.
        let groups = grouped(
            &[
                "приложен смс код",
                "приложен смс код",
                "приложен вход парол",
                "приложен вход парол",
            ],
            10,
        );
        let keys: Vec<&str> = groups.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["вход+парол", "код+смс"]);
    }

    #[test]
    fn the_cap_leaves_the_smallest_groups_out_and_order_is_stable() {
        let lines = ["а б", "а б", "в г", "в г", "д"];
        let groups = grouped(&lines, 1);
        assert_eq!(groups, [("а+б".to_string(), vec![0, 1])]);
        assert_eq!(grouped(&lines, 10), grouped(&lines, 10));
        assert!(grouped(&[], 10).is_empty());
        assert_eq!(grouped(&[""], 10), [(String::new(), vec![0])]);
    }
}
