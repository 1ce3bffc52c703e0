//! Embeds the default theme (themes/default) into the binary, so that spravka runs from any
//! directory with no theme files around. Generates `$OUT_DIR/embedded_theme.rs`: a sorted
//! list of (path, bytes) pairs, included by `render::theme`.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let theme = Path::new("themes/default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(theme, theme, &mut files);
    files.sort();
    let mut code = String::from("pub static EMBEDDED_THEME: &[(&str, &[u8])] = &[\n");
    for rel in &files {
        let abs = std::fs::canonicalize(theme.join(rel)).expect("theme file");
        println!("cargo:rerun-if-changed={}", abs.display());
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out).join("embedded_theme.rs"), code).expect("write embedded theme");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read theme dir") {
        let path = entry.expect("theme entry").path();
        if path.is_dir() {
            collect(root, &path, files);
            println!("cargo:rerun-if-changed={}", path.display());
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push(rel);
        }
    }
}
