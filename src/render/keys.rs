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
//! Keys are only compared within one process; a document enters by its identity
//! (`context::Body`). The hash is a `crate::fingerprint`.

use super::context::RenderEnv;
use super::{Job, RenderOptions, TAGS_URL};
use crate::site::urls::output_path;
use crate::site::Site;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Each job of a site under a name that stays the same across rebuilds (its main output
/// file), with the hash of its context.
#[derive(Debug, Default, Clone)]
pub struct JobKeys {
    keys: BTreeMap<String, (Job, u64)>,
}

/// What an incremental render must do to turn the output of `old` into that of `new`.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub render: Vec<Job>,
    /// Output files of jobs that no longer exist (deleted or renamed pages, emptied tags).
    pub remove: Vec<String>,
}

impl JobKeys {
    pub fn compute(env: &RenderEnv, jobs: &[Job], options: RenderOptions) -> JobKeys {
        let keys = jobs
            .par_iter()
            .map(|job| {
                let mut h = crate::fingerprint::hasher();
                super::jobs::template(env.site, job).hash(&mut h);
                env.job_context(job, options).hash(&mut h);
                (job_name(env.site, job), (job.clone(), h.finish()))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        JobKeys { keys }
    }

    pub fn changes_from(&self, old: &JobKeys) -> Changes {
        let render = self
            .keys
            .iter()
            .filter(|(name, (_, key))| old.keys.get(*name).is_none_or(|(_, k)| k != key))
            .map(|(_, (job, _))| job.clone())
            .collect();
        let remove = old
            .keys
            .keys()
            .filter(|name| !self.keys.contains_key(*name))
            .cloned()
            .collect();
        Changes { render, remove }
    }
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

    /// Every templated job's key and what its template sees, under its stable name.
    fn keyed(site: &Site) -> BTreeMap<String, (u64, serde_json::Value)> {
        let options = RenderOptions {
            live_reload: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        let env = RenderEnv::new(site, options.today, false);
        let jobs = super::super::Renderer::all_jobs(site);
        let keys = JobKeys::compute(&env, &jobs, options);
        keys.keys
            .into_iter()
            .filter(|(_, (job, _))| super::super::jobs::template(site, job).is_some())
            .map(|(name, (job, key))| {
                let seen = serde_json::to_value(env.job_context(&job, options)).unwrap();
                (name, (key, seen))
            })
            .collect()
    }

    /// The key is what the template sees: after each edit, every job whose context (its body
    /// HTML included) changed has a new key, and jobs that see nothing new keep theirs.
    #[test]
    fn a_key_changes_whenever_what_its_template_sees_changes() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let write = |rel: &str, text: &str| {
            let path = content.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
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
            Site::load_with_cache(dir.path(), Config::default(), &mut cache)
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
}
