//! Incremental equals full, as a property: random sequences of edits (a body, its first
//! paragraph (the summary other pages list), a title, a link added or removed,
//! a page added, renamed or deleted, an included fragment, the presets, an asset, a theme file,
//! spravka.toml) go through `serve`'s live rebuild, and after each one the served folder, the
//! problems shown and the search and suggest answers must be those of a full build of the
//! same content.

mod common;

use common::incremental::{assert_same_as_full_build_searching, Session};
use common::Fixture;
use proptest::prelude::*;
use spravka::serve::{rebuild, Change};

/// Made-up words, one per edit that writes a word, so that search tells the edits apart.
const WORDS: [&str; 8] = [
    "зюзюблик",
    "квакваша",
    "брындыль",
    "тыквоед",
    "шмурдяк",
    "пуклявый",
    "хрумчик",
    "мордолиз",
];

#[derive(Debug, Clone)]
enum Edit {
    Body { page: usize, word: usize },
    Lead { page: usize, word: usize },
    Title { page: usize, word: usize },
    Link { page: usize, target: usize },
    Unlink { page: usize },
    Add { word: usize },
    Rename { page: usize },
    Delete { page: usize },
    Fragment { word: usize },
    Presets { word: usize },
    Asset,
    Theme { word: usize },
    Config { word: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let word = 0..WORDS.len();
    prop_oneof![
        3 => (any::<usize>(), word.clone()).prop_map(|(page, word)| Edit::Body { page, word }),
        2 => (any::<usize>(), word.clone()).prop_map(|(page, word)| Edit::Lead { page, word }),
        3 => (any::<usize>(), word.clone()).prop_map(|(page, word)| Edit::Title { page, word }),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(page, target)| Edit::Link { page, target }),
        2 => any::<usize>().prop_map(|page| Edit::Unlink { page }),
        2 => word.clone().prop_map(|word| Edit::Add { word }),
        1 => any::<usize>().prop_map(|page| Edit::Rename { page }),
        1 => any::<usize>().prop_map(|page| Edit::Delete { page }),
        2 => word.clone().prop_map(|word| Edit::Fragment { word }),
        2 => word.clone().prop_map(|word| Edit::Presets { word }),
        1 => Just(Edit::Asset),
        1 => word.clone().prop_map(|word| Edit::Theme { word }),
        1 => word.prop_map(|word| Edit::Config { word }),
    ]
}

/// The includes fixture with presets, and a page that shows a variable.
fn session() -> Session {
    let mut f = Fixture::new("includes");
    f.write("content/presets.yaml", "default:\n  product: PASS24\n")
        .write(
            "content/guides/about.md",
            "# О продукте\n\nВсё о {{ product }}: [вход](login.md).\n",
        );
    Session::new(f)
}

/// The pages that may be edited, renamed or deleted (the home page stays).
fn pages(s: &Session) -> Vec<String> {
    let current = s.state.current();
    current
        .site
        .pages
        .iter()
        .map(|p| p.doc.rel_path.clone())
        .filter(|p| p != "README.md")
        .collect()
}

/// Applies `edit`; rebuilds as the watcher would report it.
fn apply(s: &mut Session, edit: &Edit, step: usize) {
    let pages = pages(s);
    let pick = |i: usize| pages.get(i % pages.len().max(1)).cloned();
    match *edit {
        Edit::Body { page, word } => {
            if let Some(p) = pick(page) {
                s.edit(&p, |t| format!("{t}\nЕщё: {}.\n", WORDS[word]));
            }
        }
        Edit::Lead { page, word } => {
            if let Some(p) = pick(page) {
                s.edit(&p, |t| {
                    let (title, rest) = t.split_once('\n').unwrap_or((&t, ""));
                    format!("{title}\n\nКратко: {} {step}.\n{rest}", WORDS[word])
                });
            }
        }
        Edit::Title { page, word } => {
            if let Some(p) = pick(page) {
                s.edit(&p, |t| {
                    let rest = t.split_once('\n').map_or("", |(_, r)| r).to_string();
                    format!("# Заголовок {} {step}\n{rest}", WORDS[word])
                });
            }
        }
        Edit::Link { page, target } => {
            if let (Some(p), Some(to)) = (pick(page), pick(target)) {
                s.edit(&p, |t| format!("{t}\nСм. [{{#T}}](/{to}).\n"));
            }
        }
        Edit::Unlink { page } => {
            // Takes back the links `Link` added: the pages they pointed at lose a backlink.
            if let Some(p) = pick(page) {
                s.edit(&p, |t| {
                    t.lines()
                        .filter(|line| !line.starts_with("См. ["))
                        .map(|line| format!("{line}\n"))
                        .collect()
                });
            }
        }
        Edit::Add { word } => {
            let p = format!("guides/новая {step}.md");
            s.edit(&p, |_| {
                format!(
                    "# Новая {step}\n\nПро {} и {{{{ product }}}}.\n\n{{% include [шаги](../_includes/steps-login.md) %}}\n",
                    WORDS[word]
                )
            });
        }
        Edit::Rename { page } => {
            if let Some(p) = pick(page) {
                let to = format!("guides/переименована {step}.md");
                std::fs::rename(s.path(&p), s.path(&to)).unwrap();
                s.rebuild(&[&p, &to]);
            }
        }
        Edit::Delete { page } => {
            if let Some(p) = pick(page) {
                std::fs::remove_file(s.path(&p)).unwrap();
                s.rebuild(&[&p]);
            }
        }
        Edit::Fragment { word } => {
            s.edit("_includes/common/support.md", |t| {
                format!("{t}\nФрагмент: {}.\n", WORDS[word])
            });
        }
        Edit::Presets { word } => {
            s.edit("presets.yaml", |_| {
                format!("default:\n  product: {}\n", WORDS[word])
            });
        }
        Edit::Asset => {
            std::fs::write(s.path(&format!("images/схема {step}.png")), b"PNG").unwrap();
            s.rebuild(&[&format!("images/схема {step}.png")]);
        }
        Edit::Theme { word } => {
            // A theme file of the site's own overrides the embedded one.
            s.f.write(
                "themes/default/static/style.css",
                &format!("/* {} */\nbody {{ margin: 0 }}\n", WORDS[word]),
            );
            rebuild(&s.state, &Change::Full);
        }
        Edit::Config { word } => {
            s.f.write(
                "spravka.toml",
                &format!("title = \"База {}\"\n", WORDS[word]),
            );
            rebuild(&s.state, &Change::Full);
        }
    }
}

proptest! {
    // Each step compares with a full build: a few dozen cases cover every pair of edits.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn incremental_rebuilds_equal_a_full_build(edits in prop::collection::vec(edit_strategy(), 1..9)) {
        let mut s = session();
        for (step, edit) in edits.iter().enumerate() {
            apply(&mut s, edit, step);
            assert_same_as_full_build_searching(&s.f, &s.state, &format!("step {step}: {edit:?}"), &WORDS);
        }
    }
}
