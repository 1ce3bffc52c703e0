//! Paths as documents write them, relative to content/: which destinations leave the base,
//! and where a relative one lands. `site` resolves links with them; `include` finds and
//! rebases included files with the same rules.

/// `http:`, `mailto:`, `tel:`…: a scheme of letters before the first `:` and no `/` before it.
pub fn is_external(dest: &str) -> bool {
    dest.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) || dest.starts_with("//")
}

/// Joins `dest` onto the folder `dir`, both relative to content/; `None` when `..` climbs
/// out of content/.
pub fn join_path(dir: &str, dest: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dest.starts_with('/') {
        vec![]
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in dest.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}
