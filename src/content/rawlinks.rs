//! Turns links written with raw spaces (`[x](./Диагностика проблем.md)`) into real links.
//!
//! CommonMark does not allow spaces in a link destination, so pulldown-cmark renders such a
//! link as text; but the department's documents (and GitHub's renderer of old) use them. We
//! rewrite the destination to the angle-bracket form `](<./Диагностика проблем.md>)`, which
//! CommonMark accepts, before parsing. No crate does this; it is a few lines of scanning.

/// The rewritten text and where its insertions are, to map positions back to the original.
pub struct Preprocessed {
    pub text: String,
    /// Byte offsets in `text` of every inserted character, ascending.
    inserted: Vec<usize>,
    /// Byte offsets in the original of the `](` of every rewritten link.
    pub rewritten_links: Vec<usize>,
}

impl Preprocessed {
    /// Maps a byte offset in the rewritten text back to the original text.
    pub fn original_offset(&self, offset: usize) -> usize {
        offset - self.inserted.partition_point(|&i| i < offset)
    }

    /// Whether the link spanning `range` (original offsets) was written with raw spaces.
    pub fn is_rewritten(&self, range: std::ops::Range<usize>) -> bool {
        let i = self.rewritten_links.partition_point(|&o| o < range.start);
        self.rewritten_links.get(i).is_some_and(|&o| o < range.end)
    }
}

pub fn preprocess(source: &str) -> Preprocessed {
    let mut out = String::with_capacity(source.len() + 16);
    let mut inserted = Vec::new();
    let mut rewritten_links = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|&x| x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((fc, fr)) if fc == c && run >= fr && trimmed[run..].trim().is_empty() => {
                        fence = None
                    }
                    _ => {}
                }
                out.push_str(line);
                line_start += line.len();
                continue;
            }
        }
        if fence.is_some() || line.starts_with("    ") || line.starts_with('\t') {
            out.push_str(line);
        } else {
            rewrite_line(
                line,
                line_start,
                &mut out,
                &mut inserted,
                &mut rewritten_links,
            );
        }
        line_start += line.len();
    }
    Preprocessed {
        text: out,
        inserted,
        rewritten_links,
    }
}

fn rewrite_line(
    line: &str,
    line_start: usize,
    out: &mut String,
    inserted: &mut Vec<usize>,
    rewritten: &mut Vec<usize>,
) {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    let mut in_code = 0usize; // length of the backtick run that opened an inline code span
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            in_code = match in_code {
                0 => run,
                n if n == run => 0,
                n => n,
            };
            i += run;
            continue;
        }
        if in_code == 0
            && bytes[i] == b']'
            && bytes.get(i + 1) == Some(&b'(')
            && bytes.get(i + 2) != Some(&b'<')
        {
            if let Some(len) = raw_space_destination(&line[i + 2..]) {
                let dest = &line[i + 2..i + 2 + len];
                out.push_str(&line[copied..i + 2]);
                inserted.push(out.len());
                out.push('<');
                out.push_str(&line[i + 2..i + 2 + len]);
                inserted.push(out.len());
                out.push('>');
                // `({{ base }}/a.md)`: the spaces are the variable's, not the path's.
                if spaces_outside_variables(dest) {
                    rewritten.push(line_start + i);
                }
                copied = i + 2 + len;
                i = copied;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
}

/// Whether `dest` has a space that is not inside a `{{ … }}` (`presets`).
fn spaces_outside_variables(dest: &str) -> bool {
    let mut rest = dest;
    while let Some(open) = rest.find("{{") {
        if rest[..open].contains(' ') {
            return true;
        }
        match rest[open..].find("}}") {
            Some(close) => rest = &rest[open + close + 2..],
            None => return rest[open..].contains(' '),
        }
    }
    rest.contains(' ')
}

/// Length of a destination that contains a space and names a markdown file (optionally with
/// an anchor), up to the `)` that closes the link; parentheses inside must balance.
fn raw_space_destination(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                let dest = &rest[..i];
                let path = dest.split('#').next().unwrap_or("");
                let is_doc = path.ends_with(".md") || path.ends_with('/');
                // Spaces only inside `{{ … }}`: a variable, whatever it names.
                let variable = dest.contains("{{") && !spaces_outside_variables(dest);
                return (dest.contains(' ') && (is_doc || variable) && !dest.starts_with(' '))
                    .then_some(i);
            }
            ')' => depth -= 1,
            '\n' | '"' | '<' | '>' => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_raw_space_links_with_parentheses() {
        let src = "- [Экстренные](./Обработка экстренных обращений (SLA высокий приоритет).md)\n";
        let p = preprocess(src);
        assert_eq!(
            p.text,
            "- [Экстренные](<./Обработка экстренных обращений (SLA высокий приоритет).md>)\n"
        );
        assert_eq!(p.rewritten_links, vec![src.find("](").unwrap()]);
        let close = p.text.rfind(')').unwrap();
        assert_eq!(p.original_offset(close), src.rfind(')').unwrap());
    }

    #[test]
    fn leaves_code_titles_and_encoded_links_alone() {
        for src in [
            "`[a](b c.md)`\n",
            "```\n[a](b c.md)\n```\n",
            "[a](b%20c.md)\n",
            "[a](https://x.ru \"title here\")\n",
            "[a](<b c.md>)\n",
        ] {
            assert_eq!(preprocess(src).text, src, "{src}");
        }
    }

    #[test]
    fn spaces_inside_a_variable_are_not_raw_spaces() {
        let p = preprocess("[a]({{ docs }}/b.md) [c]({{ docs }}/d e.md)\n");
        assert_eq!(p.text, "[a](<{{ docs }}/b.md>) [c](<{{ docs }}/d e.md>)\n");
        assert_eq!(
            p.rewritten_links,
            vec![23],
            "only the second has a raw space"
        );
    }

    #[test]
    fn anchors_after_raw_space_paths() {
        let p = preprocess("[x](../Регламент работы.md#линии-поддержки)");
        assert_eq!(p.text, "[x](<../Регламент работы.md#линии-поддержки>)");
    }
}
