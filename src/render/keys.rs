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
//! `render::reads`): keying every job (about 13,800 at 10,000 pages) was most of an edit's
//! render. After an add, a rename or a delete, a job whose every read part of the site is the
//! same in the new one keeps its key (`JobKeys::carried_over`, `render::unchanged`).
//!
//! Keys are only compared within one process; a document enters by its identity
//! (`context::Body`). The hash is a `crate::fingerprint`.

use super::context::RenderEnv;
use super::reads::{self, Part, Reading, Readings};
use super::unchanged::Unchanged;
use super::{Job, RenderOptions, TAGS_URL};
use crate::site::urls::output_path;
use crate::site::{PageId, Site};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Each job of a site with the hash of its context, under a name that stays the same across
/// rebuilds (its main output file), and what each context read of the site.
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

    /// The keys of `env.site`, which was assembled again after `old_site` (the site these keys
    /// are of: a page was added, renamed or deleted), for `jobs` (its `Renderer::all_jobs`):
    /// a job that renders what an old one rendered, and whose every read part is the same in
    /// the new site (`render::unchanged`), keeps the old key; the others are keyed again.
    /// `None` when the options, the configuration or the assets changed (then `compute`).
    pub fn carried_over(
        &self,
        old_site: &Site,
        env: &RenderEnv,
        jobs: &[Job],
        options: RenderOptions,
    ) -> Option<JobKeys> {
        if self.options != options || self.reads.pages() != old_site.pages.len() {
            return None;
        }
        let carried = self.kept_keys(&Unchanged::between(old_site, env.site)?, jobs);
        tracing::debug!(
            "carried {} of {} keys",
            carried.iter().filter(|c| c.is_some()).count(),
            jobs.len()
        );
        let (keys, reads): (Vec<u64>, Vec<Reading>) = (jobs.par_iter().zip(carried))
            .map(|(job, carried)| carried.unwrap_or_else(|| key_of(env, job, options)))
            .unzip();
        Some(JobKeys {
            jobs: jobs.into(),
            names: jobs.par_iter().map(|job| job_name(env.site, job)).collect(),
            keys,
            reads: Readings::new(reads, env.site.pages.len()),
            options,
        })
    }

    /// For each of `jobs` (of the new site), the key and reading (in the new site's ids) of the
    /// old job it renders the same as, if every part that one read is `unchanged`.
    fn kept_keys(&self, unchanged: &Unchanged, jobs: &[Job]) -> Vec<Option<(u64, Reading)>> {
        let old_jobs: foldhash::HashMap<&Job, u32> = (self.jobs.iter().enumerate())
            .map(|(i, job)| (job, i as u32))
            .collect();
        (jobs.par_iter())
            .map(|job| {
                let old = *old_jobs.get(&unchanged.old_job(job)?)?;
                let Reading::Parts(parts) = self.reads.reading(old) else {
                    return None;
                };
                let mut parts: Vec<Part> = (parts.into_iter())
                    .map(|part| unchanged.carry(part))
                    .collect::<Option<_>>()?;
                parts.sort_unstable();
                // Parts are matched one to one (by path, folder, name): none can merge.
                debug_assert!(parts.windows(2).all(|w| w[0] < w[1]), "{parts:?}");
                Some((self.keys[old as usize], Reading::Parts(parts)))
            })
            .collect()
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
#[path = "keys_tests.rs"]
mod tests;
