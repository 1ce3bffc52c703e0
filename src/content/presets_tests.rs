use super::*;
use crate::content::markdown::{render_markdown_with, MarkdownOptions};

fn vars(pairs: &[(&str, &str)]) -> Variables {
    Variables {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn yaml_default_preset_nested_names_and_scalars() {
    let yaml = "default:\n  product: PASS24\n  app:\n    version: 2.15\n    beta: true\ninternal:\n  product: secret\n";
    let values = parse_presets("presets.yaml", yaml).unwrap();
    assert_eq!(
        values["product"], "PASS24",
        "the default preset, not another"
    );
    assert_eq!(values["app.version"], "2.15");
    assert_eq!(values["app.beta"], "true");
    assert_eq!(values.len(), 3);
    let flat = parse_presets("presets.toml", "product = \"PASS24\"\n").unwrap();
    assert_eq!(flat["product"], "PASS24");
}

#[test]
fn a_broken_presets_file_names_its_line() {
    let e = parse_presets("a/presets.yaml", "default:\n  x: [1,\n").unwrap_err();
    assert_eq!(e.code, Code::BadPresets);
    assert_eq!(e.file, "a/presets.yaml");
    assert!(e.line >= 2, "{e:?}");
    let e = parse_presets("presets.toml", "x = \n").unwrap_err();
    assert_eq!(e.line, 1, "{e:?}");
    let e = parse_presets("presets.yaml", "- a\n- b\n").unwrap_err();
    assert!(e.message.contains("mapping"), "{e:?}");
}

#[test]
fn substitute_replaces_known_names_and_lists_the_others() {
    let v = vars(&[("product", "PASS24"), ("app.version", "2.15")]);
    let mut unknown = vec![];
    let out = substitute(
        "{{product}} {{ app.version }}: {{ missing }} and {{ a + b }}",
        &v,
        &mut unknown,
    );
    assert_eq!(out, "PASS24 2.15: {{ missing }} and {{ a + b }}");
    assert_eq!(
        unknown,
        [Unknown {
            at: 31,
            len: 13,
            name: "missing".into()
        }]
    );
    assert!(matches!(
        substitute("no braces", &v, &mut unknown),
        Cow::Borrowed(_)
    ));
}

#[test]
fn text_and_link_destinations_are_replaced_code_is_not() {
    let v = vars(&[("product_name", "PASS24"), ("base", "/docs")]);
    let source = "# О {{ product_name }}\n\n**{{ product_name }}** и [ссылка]({{ base }}/a.md) ![схема]({{ base }}/s.png).\n\n`{{ product_name }}`\n\n```\n{{ product_name }}\n```\n\nНет: {{ nope }}\n";
    let r = render_markdown_with(source, MarkdownOptions::default(), &v, None);
    assert_eq!(r.title.as_deref(), Some("О PASS24"));
    let html = r.html.read().to_string();
    assert!(html.contains("<strong>PASS24</strong>"), "{html}");
    assert!(html.contains("<code>{{ product_name }}</code>"), "{html}");
    assert!(html.contains("<code>{{ product_name }}\n</code>"), "{html}");
    assert!(
        html.contains("{{ nope }}"),
        "an unknown name stays visible: {html}"
    );
    assert_eq!(r.links[0].dest, "/docs/a.md");
    assert_eq!(r.links[1].dest, "/docs/s.png", "an image's destination too");
    let unknown: Vec<(u32, u32, u32, &str)> = r
        .unknown_variables
        .iter()
        .map(|u| (u.pos.line, u.pos.column, u.length, u.name.as_str()))
        .collect();
    assert_eq!(unknown, [(11, 6, 10, "nope")]);
}

#[test]
fn an_unknown_name_in_a_link_is_placed_in_its_destination() {
    let source = "См. [{{ label }}]({{ where }}/a.md)\n";
    let r = render_markdown_with(
        source,
        MarkdownOptions::default(),
        &Variables::default(),
        None,
    );
    let unknown: Vec<(u32, u32, &str)> = r
        .unknown_variables
        .iter()
        .map(|u| (u.pos.line, u.pos.column, u.name.as_str()))
        .collect();
    assert_eq!(unknown, [(1, 19, "where"), (1, 6, "label")]);
}

#[test]
fn nearer_folders_override_farther_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::write(
        root.join("presets.yaml"),
        "default:\n  x: root\n  y: root\n",
    )
    .unwrap();
    std::fs::write(root.join("a/b/presets.toml"), "x = \"deep\"\n").unwrap();
    for f in ["top.md", "a/mid.md", "a/b/deep.md"] {
        std::fs::write(root.join(f), "# T\n").unwrap();
    }
    let (files, _) = crate::content::walk(root, "synonyms.toml", &[]);
    assert!(files
        .iter()
        .any(|f| f.rel_path == "presets.yaml" && f.kind == FileKind::Presets));
    let (presets, problems) = Presets::load(&files);
    assert!(problems.is_empty(), "{problems:?}");
    let of = |p: &str| {
        let v = presets.for_document(p);
        (
            v.get("x").unwrap_or("").to_string(),
            v.get("y").unwrap_or("").to_string(),
        )
    };
    assert_eq!(of("top.md"), ("root".into(), "root".into()));
    assert_eq!(of("a/mid.md"), ("root".into(), "root".into()));
    assert_eq!(of("a/b/deep.md"), ("deep".into(), "root".into()));
}
