//! One `{% … %}` tag read: which block it opens or closes, with its kind and title.

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Note,
    Cut,
    Tabs,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Cut => "cut",
            Kind::Tabs => "list tabs",
        }
    }

    pub fn close_html(self) -> &'static str {
        match self {
            Kind::Note | Kind::Tabs => "</div>\n",
            Kind::Cut => "</div></details>\n",
        }
    }
}

/// The note kinds and their default titles (the base's writers read Russian).
const NOTE_KINDS: [(&str, &str); 4] = [
    ("info", "Примечание"),
    ("tip", "Совет"),
    ("warning", "Внимание"),
    ("alert", "Важно"),
];

pub enum Parsed {
    /// A block opens: its kind, its note kind (`info`…, empty for others) and its title.
    Open(Kind, &'static str, String),
    Close(Kind),
    Unsupported(String),
}

/// `{% name args %}` → what it is; `None` when `text` is not a single tag.
pub fn parse_tag(text: &str) -> Option<Parsed> {
    let inner = text.strip_prefix("{%")?.strip_suffix("%}")?;
    if inner.contains('\n') || inner.contains("%}") {
        return None;
    }
    let inner = inner.trim();
    let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    let args = args.trim();
    Some(match (name, args) {
        ("note", _) => note(args, text),
        ("cut", _) => {
            let title = quoted(args).filter(|t| !t.trim().is_empty());
            Parsed::Open(Kind::Cut, "", title.unwrap_or("Подробнее").to_string())
        }
        ("list", "tabs") => Parsed::Open(Kind::Tabs, "", String::new()),
        ("endnote", "") => Parsed::Close(Kind::Note),
        ("endcut", "") => Parsed::Close(Kind::Cut),
        ("endlist", "") => Parsed::Close(Kind::Tabs),
        _ => Parsed::Unsupported(format!(
            "`{text}` is not supported (only note, cut and list tabs); shown as text"
        )),
    })
}

fn note(args: &str, text: &str) -> Parsed {
    let (kind, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let kind = if kind.is_empty() { "info" } else { kind };
    let Some(&(kind, default)) = NOTE_KINDS.iter().find(|(k, _)| *k == kind) else {
        return Parsed::Unsupported(format!(
            "`{text}`: a note is info, tip, warning or alert; shown as text"
        ));
    };
    let title = quoted(rest.trim()).filter(|t| !t.trim().is_empty());
    Parsed::Open(Kind::Note, kind, title.unwrap_or(default).to_string())
}

/// The text between the first and the last double quote.
fn quoted(args: &str) -> Option<&str> {
    let start = args.find('"')?;
    let end = args.rfind('"').filter(|&e| e > start)?;
    Some(&args[start + 1..end])
}
