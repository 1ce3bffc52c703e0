//! `{#id}` at the end of a paragraph or list item: the writer's own anchor for that block, as
//! YFM and markdown-it-attrs read it (headings get theirs from pulldown-cmark). The text loses
//! the braces and the block gets the id, so that `file.md#id` lands on it.

use pulldown_cmark::{CowStr, Event};

/// The id of a `{#id}` ending `text`, and how many bytes to cut for it (the braces and the
/// spaces before them).
pub fn trailing_id(text: &str) -> Option<(&str, usize)> {
    let trimmed = text.trim_end();
    let inner = trimmed.strip_suffix('}')?;
    let open = inner.rfind("{#")?;
    let id = &inner[open + 2..];
    if id.is_empty() || id.contains(|c: char| c.is_whitespace() || c == '{' || c == '}') {
        return None;
    }
    Some((id, text.len() - trimmed[..open].trim_end().len()))
}

/// Cuts a `{#id}` ending the text run at the end of `events` (never reaching back to
/// `start`, the block's own start event): the id and the text cut, which the caller also
/// takes out of what it collected for search.
pub fn cut_trailing_id(events: &mut Vec<Event<'_>>, start: usize) -> Option<(String, String)> {
    let run_start = events[start + 1..]
        .iter()
        .rposition(|e| !matches!(e, Event::Text(_)))
        .map_or(start + 1, |i| start + 2 + i);
    let run: String = events[run_start..]
        .iter()
        .map(|e| match e {
            Event::Text(t) => t.as_ref(),
            _ => "",
        })
        .collect();
    let (id, cut) = trailing_id(&run)?;
    let (id, removed) = (id.to_string(), run[run.len() - cut..].to_string());
    let mut left = cut;
    while left > 0 {
        let Some(Event::Text(text)) = events.pop() else {
            break;
        };
        if text.len() > left {
            let kept = text[..text.len() - left].to_string();
            events.push(Event::Text(CowStr::from(kept)));
            break;
        }
        left -= text.len();
    }
    Some((id, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closing_id_is_an_anchor() {
        assert_eq!(
            trailing_id("Шаг первый {#шаг-1}"),
            Some(("шаг-1", " {#шаг-1}".len()))
        );
        assert_eq!(trailing_id("text{#a_b}  "), Some(("a_b", 8)));
        assert_eq!(trailing_id("{#only}"), Some(("only", 7)));
        for not in [
            "text {#a}b}",
            "text {#} x",
            "text {#a} more",
            "{# a}",
            "text {a}",
            "plain",
            "{#a b}",
        ] {
            assert_eq!(trailing_id(not), None, "{not}");
        }
    }

    #[test]
    fn the_id_is_cut_across_split_text_events() {
        let mut events = vec![
            Event::Start(pulldown_cmark::Tag::Paragraph),
            Event::Text("пункт {#my".into()),
            Event::Text("_id}".into()),
        ];
        let cut = cut_trailing_id(&mut events, 0);
        assert_eq!(cut, Some(("my_id".into(), " {#my_id}".into())));
        assert_eq!(events[1..], [Event::Text("пункт".into())]);
    }
}
