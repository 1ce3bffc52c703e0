//! Each render job's key: the hash of the context it renders from (`render::jobs`). `serve`
//! re-renders only the jobs whose key changed after an edit. What a template sees is hashed
//! by deriving `Hash` on the same types it is serialised from, so a template that shows one
//! more field cannot go stale in the live preview. The hand-written hashes hash what their
//! value is made from, not each field: a body and a page's own facts by their document's
//! identity (`Body`, `DocumentFacts`, which take nothing else), a card and the navigation by a
//! fingerprint of what they serialise made once per render (`Card`, `Nav`; a `ListItem` is its
//! card), a link without the page it leads from (`Href`: the context's `current_url`), and the
//! inputs of the jobs without a template (`render::jobs::FileInputs`). A field added to one of
//! those must go into what it is made from; the key test and `tests/incremental.rs` check it.
//!
//! After an edit that moved no page, only the jobs whose context read a page the edit touched
//! are keyed again (`JobKeys::after_patch`, with what each context read noted by
//! `render::reads`): keying all 13,855 jobs of a 10,000-page site was most of an edit's render.
//!
//! Keys are only compared within one process; a document enters by its identity
//! (`context::Body`). The hash is a `crate::fingerprint`.

use super::context::RenderEnv;
use super::reads::{self, Reading, Readings};
use super::{Job, RenderOptions, TAGS_URL};
use crate::site::urls::output_path;
use crate::site::{PageId, Site};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Each job of a site with the hash of its context, under a name that stays the same across
/// rebuilds (its main output file), and what each context read of the site's pages.
#[derive(Debug, Clone)]
pub struct JobKeys {
    /// `Renderer::all_jobs` of the site, in its order; the vectors below follow it.
    jobs: Arc<[Job]>,
    names: Arc<[String]>,
    keys: Vec<u64>,
    reads: Readings,
    options: RenderOptions,
}

/// What an incremental render must do to turn the output of `old` into that of `new`.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub render: Vec<Job>,
    /// Output files of jobs that no longer exist (deleted or renamed pages, emptied tags).
    pub remove: Vec<String>,
}

impl JobKeys {
    /// Keys every job of `jobs` (`Renderer::all_jobs` of `env.site`).
    pub fn compute(env: &RenderEnv, jobs: &[Job], options: RenderOptions) -> JobKeys {
        let (keys, reads): (Vec<u64>, Vec<Reading>) =
            jobs.par_iter().map(|job| key_of(env, job, options)).unzip();
        let names = jobs.par_iter().map(|job| job_name(env.site, job)).collect();
        JobKeys {
            jobs: jobs.into(),
            names,
            keys,
            reads: Readings::new(reads, env.site.pages.len()),
            options,
        }
    }

    /// The keys of `env.site`, which is the site these keys are of with only the `touched`
    /// pages changed (`site::Reloaded::touched`: their documents, links or backlinks): only the
    /// jobs that read a touched page, or everything, are keyed again. `None` when the jobs or
    /// the options are not those of these keys (then `compute`).
    pub fn after_patch(
        &self,
        env: &RenderEnv,
        jobs: &[Job],
        options: RenderOptions,
        touched: &[PageId],
    ) -> Option<JobKeys> {
        if self.options != options
            || *self.jobs != *jobs
            || self.reads.pages() != env.site.pages.len()
        {
            return None;
        }
        let again = self.reads.jobs_reading(touched);
        let keyed: Vec<(u64, Reading)> = again
            .par_iter()
            .map(|&i| key_of(env, &jobs[i as usize], options))
            .collect();
        let mut keys = self.keys.clone();
        let mut changed = Vec::with_capacity(again.len());
        for (i, (key, reading)) in again.into_iter().zip(keyed) {
            keys[i as usize] = key;
            changed.push((i, reading));
        }
        Some(JobKeys {
            jobs: self.jobs.clone(),
            names: self.names.clone(),
            keys,
            reads: self.reads.with(changed),
            options,
        })
    }

    /// Each job's stable name, the job and its key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Job, u64)> {
        (self.names.iter())
            .zip(self.jobs.iter())
            .zip(&self.keys)
            .map(|((name, job), &key)| (name.as_str(), job, key))
    }

    pub fn changes_from(&self, old: &JobKeys) -> Changes {
        if Arc::ptr_eq(&self.names, &old.names) {
            // The same jobs (`after_patch`): compared one by one.
            let render = (self.jobs.iter())
                .zip(self.keys.iter().zip(&old.keys))
                .filter(|(_, (new, old))| new != old)
                .map(|(job, _)| job.clone())
                .collect();
            return Changes {
                render,
                remove: vec![],
            };
        }
        let old_keys: HashMap<&str, u64> = old
            .names
            .iter()
            .map(String::as_str)
            .zip(old.keys.iter().copied())
            .collect();
        let render = self
            .iter()
            .filter(|(name, _, key)| old_keys.get(name) != Some(key))
            .map(|(_, job, _)| job.clone())
            .collect();
        let names: HashSet<&str> = self.names.iter().map(String::as_str).collect();
        let mut remove: Vec<String> = (old.names.iter())
            .filter(|name| !names.contains(name.as_str()))
            .cloned()
            .collect();
        remove.sort_unstable();
        Changes { render, remove }
    }
}

/// A job's key (its template's name and its context, hashed) and what its context read.
fn key_of(env: &RenderEnv, job: &Job, options: RenderOptions) -> (u64, Reading) {
    reads::recorded(|| {
        let mut h = crate::fingerprint::hasher();
        super::jobs::template(env.site, job).hash(&mut h);
        env.job_context(job, options).hash(&mut h);
        h.finish()
    })
}

pub(super) fn job_name(site: &Site, job: &Job) -> String {
    match job {
        Job::Page(id) => output_path(&site.pages[*id].url),
        Job::GeneratedSection(id) => output_path(&site.sections[*id].url),
        Job::TagIndex => output_path(TAGS_URL),
        Job::Tag(tag) => output_path(&super::tag_url(site, tag)),
        Job::NotFound => "404.html".into(),
        Job::Operator => output_path(super::OPERATOR_URL),
        Job::Feeds => super::client_index::ENTRY.into(),
        Job::Statics => crate::site::urls::STATIC_URL.trim_start_matches('/').into(),
        Job::Asset(i) => output_path(&site.assets[*i].url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::site::DocumentCache;
    use chrono::NaiveDate;
    use std::collections::BTreeMap;

    /// Every templated job's key and what its template sees, under its stable name.
    fn keyed(site: &Site) -> BTreeMap<String, (u64, serde_json::Value)> {
        let options = RenderOptions {
            live_reload: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
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

    /// The key is what the template sees: after each edit, every job whose context (its body
    /// HTML included) changed has a new key, and jobs that see nothing new keep theirs.
    #[test]
    fn a_key_changes_whenever_what_its_template_sees_changes() {
        let site_dir = crate::testing::TempSite::new();
        let write = |rel: &str, text: &str| site_dir.write(rel, text);
        write("README.md", "# Главная\n\nБаза.\n");
        write("r/README.md", "# Раздел\n\nО разделе.\n");
        write(
            "r/a.md",
            "---\ntags: [касса]\n---\n# Альфа\n\nПро альфу.\n\n## Шаги {#shagi}\n\nТекст.\n",
        );
        write("r/b.md", "# Бета\n\nПро бету. См. [{#T}](a.md#shagi).\n");
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
        let options = RenderOptions {
            live_reload: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        let mut cache = DocumentCache::default();
        let mut site = Site::load_with_cache(site_dir.root(), Config::default(), &mut cache);
        let jobs = super::super::Renderer::all_jobs(&site);
        let mut keys =
            JobKeys::compute(&RenderEnv::new(&site, options.today, false), &jobs, options);
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
}
