//! `render::keys`: a key follows what its template sees, and keys kept over an edit are the
//! keys a full keying gives.
use super::*;
use crate::config::Config;
use crate::site::DocumentCache;
use chrono::NaiveDate;
use std::collections::BTreeMap;

fn options() -> RenderOptions {
    RenderOptions {
        live_reload: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    }
}

/// Every templated job's key and what its template sees, under its stable name.
fn keyed(site: &Site) -> BTreeMap<String, (u64, serde_json::Value)> {
    let options = options();
    let env = RenderEnv::new(site, options.today, false);
    let jobs = super::super::Renderer::all_jobs(site);
    let keys = JobKeys::compute(&env, &jobs, options);
    keys.iter()
        .filter(|(_, job, _)| super::super::jobs::template(site, job).is_some())
        .map(|(name, job, key)| {
            let seen = serde_json::to_value(env.job_context(job, options)).unwrap();
            (name.to_string(), (key, seen))
        })
        .collect()
}

/// A home page, a section, a tagged page a with a heading, and b linking to it by its title.
fn linked_site() -> crate::testing::TempSite {
    let site_dir = crate::testing::TempSite::new();
    let write = |rel: &str, text: &str| site_dir.write(rel, text);
    write("README.md", "# Главная\n\nБаза.\n");
    write("r/README.md", "# Раздел\n\nО разделе.\n");
    write(
        "r/a.md",
        "---\ntags: [касса]\n---\n# Альфа\n\nПро альфу.\n\n## Шаги {#shagi}\n\nТекст.\n",
    );
    write("r/b.md", "# Бета\n\nПро бету. См. [{#T}](a.md#shagi).\n");
    site_dir
}

/// The key is what the template sees: after each edit, every job whose context (its body
/// HTML included) changed has a new key, and jobs that see nothing new keep theirs.
#[test]
fn a_key_changes_whenever_what_its_template_sees_changes() {
    let site_dir = linked_site();
    let write = |rel: &str, text: &str| site_dir.write(rel, text);
    write("r/c.md", "# Гамма\n\nПро гамму: [бета](b.md).\n");
    write("d/e.md", "# Дельта\n\nБез ссылок.\n");
    let mut cache = DocumentCache::default();
    let mut load = |edited: &[&str]| {
        cache.forget(edited.iter().copied());
        Site::load_with_cache(site_dir.root(), Config::default(), &mut cache)
    };
    let mut before = keyed(&load(&[]));
    let edits: [(&str, &str); 6] = [
        // b's summary is shown on c's page (a backlink), in the section, on the home page.
        ("r/b.md", "# Бета\n\nДругое описание. См. [{#T}](a.md#shagi).\n"),
        // a heading another page shows through a `{#T}` link.
        ("r/a.md", "---\ntags: [касса]\n---\n# Альфа\n\nПро альфу.\n\n## Порядок шагов {#shagi}\n\nНовые шаги.\n"),
        // a status: every listing shows its class.
        ("d/e.md", "---\nstatus: Черновик\n---\n# Дельта\n\nБез ссылок.\n"),
        // a new tag on a listed page.
        ("r/c.md", "---\ntags: [касса]\n---\n# Гамма\n\nПро гамму: [бета](b.md).\n"),
        // a title: the neighbours' prev/next links show it.
        ("r/c.md", "---\ntags: [касса]\n---\n# Гамма-2\n\nПро гамму: [бета](b.md).\n"),
        // a top section's title: every page's navigation shows it.
        ("r/README.md", "# Раздел касс\n\nО разделе.\n"),
    ];
    for (rel, text) in edits {
        write(rel, text);
        let after = keyed(&load(&[rel]));
        let mut kept = 0;
        for (name, (key, seen)) in &after {
            let Some((old_key, old_seen)) = before.get(name) else {
                continue;
            };
            if seen != old_seen {
                assert_ne!(
                    key, old_key,
                    "{name} shows something new after editing {rel}"
                );
            } else if key == old_key {
                kept += 1;
            }
        }
        // A top section's title is on every page.
        let everywhere = rel == "r/README.md";
        assert!(
            kept > 0 || everywhere,
            "editing {rel} re-rendered every page"
        );
        before = after;
    }
}

/// After an edit that moves no page, keying only the jobs that read a touched page gives
/// every job the key a full keying gives it: a read not noted (`render::reads`) leaves a
/// job that shows the edit with its old key, and this fails.
#[test]
fn keys_after_a_patch_are_the_keys_of_a_full_keying() {
    let site_dir = crate::testing::TempSite::new();
    let write = |rel: &str, text: &str| site_dir.write(rel, text);
    let dated = |title: &str, date: &str, status: &str, body: &str| {
        format!(
            "# {title}\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n\
             | **Дата обновления** | {date} |\n| **Статус** | {status} |\n| **Теги** | касса |\n\n{body}\n"
        )
    };
    write("README.md", "# Главная\n\nБаза.\n");
    write("r/README.md", "# Раздел\n\nО разделе.\n");
    write("r/sub/x.md", "# Икс\n\nВ подразделе без README.\n");
    write(
        "r/a.md",
        &dated(
            "Альфа",
            "01.10.2026",
            "Актуально",
            "Про альфу.\n\n## Шаги {#shagi}\n\nТекст.",
        ),
    );
    write(
        "r/b.md",
        &dated(
            "Бета",
            "02.10.2026",
            "Актуально",
            "Про бету. См. [{#T}](a.md#shagi).",
        ),
    );
    write("r/c.md", "# Гамма\n\nПро гамму: [бета](b.md).\n");
    write("d/README.md", "# Другой раздел\n\nО другом.\n");
    let undated = "# Дельта\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n\
                   | **Статус** | Актуально |\n\nБез ссылок.\n";
    write("d/e.md", undated);
    // Not a neighbour of a's (they would read each other's titles anyway).
    write("d/f.md", "# Фита\n\nСм. [{#T}](../r/a.md#shagi).\n");
    write("r/s/README.md", "# Подраздел\n\nО подразделе.\n");
    write("r/s/y.md", "# Игрек\n\nВ подразделе.\n");
    let options = options();
    let mut cache = DocumentCache::default();
    let mut site = Site::load_with_cache(site_dir.root(), Config::default(), &mut cache);
    let jobs = super::super::Renderer::all_jobs(&site);
    let mut keys = JobKeys::compute(&RenderEnv::new(&site, options.today, false), &jobs, options);
    let edits: [(&str, String); 11] = [
        // The summary: listed in its section, on the home page, as c's backlink.
        (
            "r/b.md",
            dated(
                "Бета",
                "02.10.2026",
                "Актуально",
                "Иначе о бете. См. [{#T}](a.md#shagi).",
            ),
        ),
        // A heading b and f show through their `{#T}` links, its id kept.
        (
            "r/a.md",
            dated(
                "Альфа",
                "01.10.2026",
                "Актуально",
                "Про альфу.\n\n## Порядок {#shagi}\n\nТекст.",
            ),
        ),
        // A status and a date: the class every listing shows, the home page's newest.
        (
            "r/a.md",
            dated(
                "Альфа",
                "03.11.2026",
                "Черновик",
                "Про альфу.\n\n## Порядок {#shagi}\n\nТекст.",
            ),
        ),
        // A date where there was none: the page is among the home page's newest now.
        (
            "d/e.md",
            undated.replace(
                "| **Статус**",
                "| **Дата обновления** | 04.11.2026 |\n| **Статус**",
            ),
        ),
        // A section page's summary, shown by its parent's listing.
        ("d/README.md", "# Другой раздел\n\nИначе о другом.\n".into()),
        (
            "r/s/README.md",
            "# Подраздел\n\nИначе о подразделе.\n".into(),
        ),
        // A link added: e gains a backlink.
        (
            "r/c.md",
            "# Гамма\n\nПро гамму: [бета](b.md), [дельта](../d/e.md).\n".into(),
        ),
        // A broken link: the count the page shows.
        (
            "r/c.md",
            "# Гамма\n\nПро гамму: [бета](b.md), [нет](nope.md).\n".into(),
        ),
        // A link dropped: b loses c's backlink.
        ("r/c.md", "# Гамма\n\nПро гамму.\n".into()),
        // The body of a page in a section without README.
        ("r/sub/x.md", "# Икс\n\nДругой текст.\n".into()),
        // The home page itself.
        ("README.md", "# Главная\n\nНаша база.\n".into()),
    ];
    for (rel, text) in edits {
        write(rel, &text);
        cache.forget([rel]);
        let reloaded = Site::reload(site_dir.root(), Config::default(), &mut cache, &site);
        let touched = (reloaded.touched)
            .unwrap_or_else(|| panic!("editing {rel} moved no page but was not patched"));
        let next = reloaded.site;
        let env = RenderEnv::new(&next, options.today, false);
        let full = JobKeys::compute(&env, &jobs, options);
        let patched = keys.after_patch(&env, &jobs, options, &touched).unwrap();
        let expected: Vec<_> = full.iter().collect();
        let got: Vec<_> = patched.iter().collect();
        assert_eq!(got, expected, "keys after editing {rel}");
        assert_eq!(patched.reads, full.reads, "readings after editing {rel}");
        // d/e.md's page is read only by its section's listing and the feeds.
        let e_page = Job::Page(next.page_id_by_path("d/e.md").unwrap());
        let reads_e = ["r/c.md", "d/README.md", "d/e.md"].contains(&rel);
        let elsewhere = (!reads_e)
            .then(|| jobs.iter().position(|j| *j == e_page))
            .flatten();
        let again = keys.reads.jobs_reading(&touched);
        assert!(
            elsewhere.is_none_or(|e| !again.contains(&(e as u32))),
            "editing {rel} keyed d/e.md's page again: {again:?}"
        );
        assert_ne!(
            patched.changes_from(&keys),
            Changes::default(),
            "editing {rel} changed no job"
        );
        (site, keys) = (next, patched);
    }
}

/// After an add, a rename or a delete (the site assembled again), the keys carried over are the
/// keys a full keying gives: a read of the structure that is not noted (a section's list, a
/// tag's pages, the navigation) leaves a job that shows the move with its old key, and this
/// fails.
#[test]
fn keys_carried_over_an_added_or_removed_page_are_the_keys_of_a_full_keying() {
    #[derive(Debug, Clone, Copy)]
    enum Move {
        Write(&'static str, &'static str),
        Delete(&'static str),
        Rename(&'static str, &'static str),
    }
    use Move::*;
    let site_dir = linked_site();
    let content = site_dir.root().join("content");
    let write = |rel: &str, text: &str| site_dir.write(rel, text);
    write(
        "r/c.md",
        "---\ntags: [касса, вводить]\n---\n# Гамма\n\nПро гамму: [бета](b.md).\n",
    );
    write("r/sub/x.md", "# Икс\n\nВ подразделе без README.\n");
    write("r/s/README.md", "# Подраздел\n\nО подразделе.\n");
    write(
        "r/s/y.md",
        "---\ntags: [касса]\n---\n# Игрек\n\nВ подразделе.\n",
    );
    // Below the subsection: its title is in the breadcrumbs only.
    write("r/s/t/z.md", "# Зэ\n\nГлубже.\n");
    write("d/README.md", "# Другой раздел\n\nО другом.\n");
    write("d/e.md", "# Дельта\n\nЖдёт статью: [зет](../r/zz.md).\n");
    write("d/f.md", "# Фита\n\nБез ссылок.\n");
    let options = options();
    let mut cache = DocumentCache::default();
    let mut site = Site::load_with_cache(site_dir.root(), Config::default(), &mut cache);
    let jobs = super::super::Renderer::all_jobs(&site);
    let mut keys = JobKeys::compute(&RenderEnv::new(&site, options.today, false), &jobs, options);
    let moves = [
        // Between b and c by title (their prev/next), a link to a (a's backlinks).
        Write("r/bb.md", "# Бета-два\n\n[альфа](a.md).\n"),
        // A tag's pages: its page lists one more.
        Write(
            "r/sub/k.md",
            "---\ntags: [касса]\n---\n# Ка\n\nБез ссылок.\n",
        ),
        // A tag that reads as c's other tag in Latin and sorts first takes its URL (c's tag
        // link).
        Write("r/sub/v.md", "---\ntags: [вводит]\n---\n# Вэ\n\nТекст.\n"),
        // A section's title: the cards of its pages (y on the tag's page) and the breadcrumbs
        // below it (z's) show it.
        Write("r/s/README.md", "# Подраздел два\n\nО подразделе.\n"),
        // The page e's broken link named.
        Write("r/zz.md", "# Зет\n\nНаконец.\n"),
        // A new URL; c's link to b breaks.
        Rename("r/b.md", "r/b2.md"),
        // Links to a break, the tag loses a page.
        Delete("r/a.md"),
        // A listing page generated for a folder becomes the folder's README.
        Write("r/sub/README.md", "# Подраздел\n\nО нём.\n"),
        Delete("r/sub/README.md"),
        // A page the operator page links to when it is there.
        Write(super::super::PROCESS_PAGE, "# Процессы\n\nКак работаем.\n"),
        // A new top section: every page's navigation.
        Write("n/g.md", "# Гэ\n\nНовый раздел.\n"),
        // A new tag: its page, the tag list.
        Write("d/f.md", "---\ntags: [новый]\n---\n# Фита\n\nБез ссылок.\n"),
        // A new title: first in its section now.
        Write(
            "r/c.md",
            "---\ntags: [касса, вводить]\n---\n# Аа гамма\n\nПро гамму.\n",
        ),
    ];
    for step in moves {
        let name = format!("{step:?}");
        let changed: Vec<&str> = match step {
            Write(rel, text) => {
                write(rel, text);
                vec![rel]
            }
            Delete(rel) => {
                std::fs::remove_file(content.join(rel)).unwrap();
                vec![rel]
            }
            Rename(from, to) => {
                std::fs::rename(content.join(from), content.join(to)).unwrap();
                vec![from, to]
            }
        };
        cache.forget(changed.iter().copied());
        let paths: Vec<_> = changed.iter().map(|rel| content.join(rel)).collect();
        let config = Config::default();
        let named = changed
            .iter()
            .copied()
            .zip(paths.iter().map(|p| p.as_path()));
        cache.keep_listing(&content, named, &config.synonyms_file, &config.fragments);
        let reloaded = Site::reload(site_dir.root(), Config::default(), &mut cache, &site);
        assert!(
            reloaded.touched.is_none(),
            "{name} was patched: it moves a page"
        );
        let next = reloaded.site;
        let next_jobs = super::super::Renderer::all_jobs(&next);
        let env = RenderEnv::new(&next, options.today, false);
        let full = JobKeys::compute(&env, &next_jobs, options);
        let carried = (keys.carried_over(&site, &env, &next_jobs, options))
            .unwrap_or_else(|| panic!("{name}: nothing carried over"));
        let expected: Vec<_> = full.iter().collect();
        let got: Vec<_> = carried.iter().collect();
        assert_eq!(got, expected, "keys after {name}");
        assert_eq!(carried.reads, full.reads, "readings after {name}");
        // Keys are carried over, not all made again: a page in another section that links
        // nowhere keeps its key, but after a move that changes the navigation or its tags; not
        // after its neighbour e's link comes to lead somewhere (f shows e's title and URL).
        let kept = keys.kept_keys(&Unchanged::between(&site, &next).unwrap(), &next_jobs);
        let f = Job::Page(next.page_id_by_path("d/f.md").unwrap());
        let f_kept = kept[next_jobs.iter().position(|j| *j == f).unwrap()].is_some();
        let f_moved = matches!(step, Write("n/g.md" | "d/f.md", _));
        assert_eq!(f_kept, !f_moved, "d/f.md's page kept its key after {name}");
        // Every page shows the navigation; any other move keeps most keys.
        let most_kept = kept.iter().filter(|k| k.is_some()).count() > next_jobs.len() / 2;
        assert_eq!(
            most_kept,
            !matches!(step, Write("n/g.md", _)),
            "after {name}"
        );
        (site, keys) = (next, carried);
    }
}
