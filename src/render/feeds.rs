//! sitemap.xml and the "Что нового" Atom feed from change histories.

use crate::content::markdown::escape_html;
use crate::site::Site;

fn absolute(site: &Site, url: &str) -> String {
    let base = site.config.base_url.trim_end_matches('/');
    format!("{base}{url}")
}

pub fn sitemap(site: &Site) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in &site.pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_html(&absolute(site, &page.url)));
        xml.push_str("</loc>");
        if let Some(updated) = page.doc.meta.updated {
            xml.push_str(&format!("<lastmod>{updated}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// One entry per change-history row, newest first: what writers changed, when.
pub fn atom(site: &Site) -> String {
    let mut entries: Vec<(chrono::NaiveDate, &str, String, String, String)> = vec![];
    for page in &site.pages {
        for h in &page.doc.history {
            if let Some(date) = h.date {
                let title = format!("{} — версия {}", page.doc.title, h.version);
                entries.push((
                    date,
                    page.url.as_str(),
                    title,
                    h.changes.clone(),
                    h.author.clone(),
                ));
            }
        }
    }
    entries.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    entries.truncate(50);
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01".to_string(), |e| e.0.to_string());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{} — что нового</title>\n  <id>{}</id>\n  <link href=\"{}\"/>\n  <updated>{updated}T00:00:00Z</updated>\n",
        escape_html(&site.config.language),
        escape_html(&site.config.title),
        escape_html(&absolute(site, "/")),
        escape_html(&absolute(site, "/")),
    );
    for (date, url, title, changes, author) in entries {
        let link = escape_html(&absolute(site, url));
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <link href=\"{link}\"/>\n    <id>{link}#{}</id>\n    <updated>{date}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>\n",
            escape_html(&title),
            escape_html(&title.replace(' ', "-")),
            escape_html(if author.is_empty() { "—" } else { &author }),
            escape_html(&changes),
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
