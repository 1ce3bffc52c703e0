//! Includes, as Diplodoc/YFM bases write them: a line that is only `{% include [title](path.md) %}`
//! (or `{% include notitle [title](path.md) %}`, which leaves out the included file's H1) is
//! replaced by that file's text before parsing, so that its headings, links and words are the
//! including page's. Links of the included text are rebased to the including page's folder
//! when they are found (`Expanded::rebase`). A missing file, a cycle or a nest deeper than
//! [`MAX_DEPTH`] is an error at the include line naming the chain.
//!
//! The files are read through `Load`, given by `site`: a document's parse reads no file
//! itself, and the document lists what it included (`Document::includes`) so that the cache
//! parses it again when one of them changes.
//!
//! Expanded at the source rather than as events: pulldown-cmark's events borrow their source,
//! and an included list or table must join the page's block structure as if written there.

use super::metadata::split_front_matter;
use super::paths::{is_external, join_path};
use super::walk::folder_of;
use std::sync::Arc;

/// Includes nest at most this deep (Diplodoc's bases nest two or three).
pub const MAX_DEPTH: usize = 8;

/// Reads a file by its path relative to content/; `None` when there is no such file.
pub type Load<'a> = &'a (dyn Fn(&str) -> Option<Arc<str>> + Sync);

/// Included text in the expanded text, and where its include line was.
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    /// The include line's offset in the including document's own text.
    at: usize,
    /// Bytes of the include line the text replaced.
    replaced: usize,
    /// The folder of the file the text came from (innermost), for rebasing its links.
    folder: String,
    /// Nested in another span: positions map through the outermost one.
    nested: bool,
}

/// Why an include line was not expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct IncludeProblem {
    /// Offset of the include line in the document's own text.
    pub at: usize,
    /// Length of the line in characters.
    pub length: u32,
    pub message: String,
    /// A cycle or a nest too deep, rather than a missing file.
    pub cycle: bool,
}

/// A document's text with its includes expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    spans: Vec<Span>,
    pub problems: Vec<IncludeProblem>,
    /// Every file an include line names, read or missing, nested ones too, sorted: the
    /// document must be parsed again when one of them appears, changes or goes.
    pub included: Vec<String>,
}

impl Expanded {
    /// The offset in the document's own text of `offset` in the expanded text: included text
    /// is placed at its include line.
    pub fn original_offset(&self, offset: usize) -> usize {
        let mut shift = 0isize;
        for span in self.spans.iter().filter(|s| !s.nested) {
            if offset < span.start {
                break;
            }
            if offset < span.end {
                return span.at;
            }
            shift += (span.end - span.start) as isize - span.replaced as isize;
        }
        (offset as isize - shift).max(0) as usize
    }

    /// `dest`, a link found at `offset` of the expanded text, as the document at `rel_path`
    /// must write it: relative links of included text are rebased from the included file's
    /// folder to the document's.
    pub fn rebase(&self, offset: usize, dest: &str, rel_path: &str) -> Option<String> {
        let span = self
            .spans
            .iter()
            .filter(|s| s.start <= offset && offset < s.end)
            .min_by_key(|s| s.end - s.start)?;
        if dest.is_empty() || dest.starts_with(['/', '#', '?']) || is_external(dest) {
            return None;
        }
        let target = join_path(&span.folder, dest)?;
        Some(relative_to(folder_of(rel_path), &target))
    }
}

/// `text` of the document at `rel_path` with its include lines expanded; `None` when it has
/// none (the common case costs one search).
pub fn expand(text: &str, rel_path: &str, load: Load) -> Option<Expanded> {
    if !text.contains("{% include") && !text.contains("{%include") {
        return None;
    }
    let mut chain = vec![rel_path.to_string()];
    let mut out = expand_in(text, &mut chain, load);
    out.included.sort();
    out.included.dedup();
    Some(out)
}

fn expand_in(text: &str, chain: &mut Vec<String>, load: Load) -> Expanded {
    let mut out = Expanded {
        text: String::with_capacity(text.len()),
        ..Default::default()
    };
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        if track_fence(line, &mut fence) || fence.is_some() {
            out.text.push_str(line);
            continue;
        }
        let Some((notitle, path)) = parse_include(line) else {
            out.text.push_str(line);
            continue;
        };
        let length = line.trim_end().chars().count() as u32;
        match resolve(chain, &path, load) {
            Ok((target, source)) => {
                out.included.push(target.clone());
                chain.push(target.clone());
                let inner = expand_in(&included_body(&source, notitle), chain, load);
                chain.pop();
                out.splice(inner, &target, at, line.len(), length);
            }
            Err(refused) => {
                out.included.extend(refused.watch);
                out.problems.push(IncludeProblem {
                    at,
                    length,
                    message: refused.message,
                    cycle: refused.cycle,
                });
                out.text.push('\n');
            }
        }
    }
    out
}

/// Why an include line is not expanded, and the file to watch (a missing one: the document
/// must be parsed again when it appears).
struct Refused {
    message: String,
    cycle: bool,
    watch: Option<String>,
}

/// The file an include line of the last file of `chain` names, and its text.
fn resolve(chain: &[String], path: &str, load: Load) -> Result<(String, Arc<str>), Refused> {
    let here = chain.last().map_or("", String::as_str);
    let refused = |message: String, cycle: bool, watch: Option<String>| Refused {
        message,
        cycle,
        watch,
    };
    let Some(target) = join_path(folder_of(here), path) else {
        return Err(refused(
            format!("included file `{path}` is outside content/"),
            false,
            None,
        ));
    };
    if chain.contains(&target) {
        let shown: Vec<&str> = chain
            .iter()
            .map(String::as_str)
            .chain([target.as_str()])
            .collect();
        return Err(refused(
            format!("include cycle: {}", shown.join(" → ")),
            true,
            None,
        ));
    }
    if chain.len() > MAX_DEPTH {
        let message = format!(
            "includes nest deeper than {MAX_DEPTH}: {} → {target}",
            chain.join(" → ")
        );
        return Err(refused(message, true, None));
    }
    match load(&target) {
        Some(source) => Ok((target, source)),
        None => {
            let via = if chain.len() > 1 {
                format!(" (included through {})", chain[1..].join(" → "))
            } else {
                String::new()
            };
            let message = format!("included file `{target}` does not exist{via}");
            Err(refused(message, false, Some(target)))
        }
    }
}

impl Expanded {
    /// Appends `inner`, the expanded text of `target`, in place of the include line at `at`
    /// (`replaced` bytes, `length` characters) of the text being expanded.
    fn splice(&mut self, inner: Expanded, target: &str, at: usize, replaced: usize, length: u32) {
        // Blank lines around: the included blocks start and end as blocks of their own.
        self.text.push('\n');
        let start = self.text.len();
        self.text.push_str(&inner.text);
        if !inner.text.ends_with('\n') {
            self.text.push('\n');
        }
        let end = self.text.len();
        self.text.push('\n');
        self.spans.push(Span {
            start: start - 1,
            end: end + 1,
            at,
            replaced,
            folder: folder_of(target).to_string(),
            nested: false,
        });
        self.spans.extend(inner.spans.into_iter().map(|s| Span {
            start: s.start + start,
            end: s.end + start,
            at,
            nested: true,
            ..s
        }));
        // A problem deeper down is shown at this line, the chain in its message.
        self.problems
            .extend(
                inner
                    .problems
                    .into_iter()
                    .map(|p| IncludeProblem { at, length, ..p }),
            );
        self.included.extend(inner.included);
    }
}

/// The included file's text: its front matter left out, and with `notitle` its first H1.
fn included_body(source: &str, notitle: bool) -> String {
    let body = match split_front_matter(source) {
        Ok((_, rest, lines)) if lines > 0 => rest,
        _ => source,
    };
    if !notitle {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut dropped = false;
    for line in body.split_inclusive('\n') {
        if !dropped && line.starts_with("# ") {
            dropped = true;
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Whether `line` opens or closes a fenced code block (updating `fence`).
fn track_fence(line: &str, fence: &mut Option<(char, usize)>) -> bool {
    let trimmed = line.trim_start();
    let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
        return false;
    };
    let run = trimmed.chars().take_while(|&x| x == c).count();
    if run < 3 {
        return false;
    }
    match *fence {
        None => *fence = Some((c, run)),
        Some((fc, fr))
            if fc == c && run >= fr && trimmed[run * c.len_utf8()..].trim().is_empty() =>
        {
            *fence = None
        }
        _ => {}
    }
    true
}

/// `{% include [title](path) %}` or `{% include notitle [title](path) %}` alone on a line:
/// (notitle, the path as written, percent-decoded, without an anchor).
fn parse_include(line: &str) -> Option<(bool, String)> {
    let inner = line.trim().strip_prefix("{%")?.strip_suffix("%}")?.trim();
    let rest = inner.strip_prefix("include")?.trim_start();
    let (notitle, rest) = match rest.strip_prefix("notitle") {
        Some(r) => (true, r.trim_start()),
        None => (false, rest),
    };
    let rest = rest.strip_prefix('[')?;
    let close = rest.find("](")?;
    let dest = rest[close + 2..].strip_suffix(')')?.trim();
    let dest = dest
        .strip_prefix('<')
        .and_then(|d| d.strip_suffix('>'))
        .unwrap_or(dest);
    let path = dest.split('#').next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    Some((notitle, decoded.into_owned()))
}

/// The path from `folder` to `target` (both relative to content/).
fn relative_to(folder: &str, target: &str) -> String {
    let from: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    let to: Vec<&str> = target.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

#[cfg(test)]
#[path = "include_tests.rs"]
mod tests;
