//! Incremental rebuilds in `serve`: after each kind of edit the served folder must hold exactly
//! the files a full build makes, the index must answer as a fresh one would, and a body edit
//! must re-render only a handful of jobs.

mod common;

use common::incremental::{assert_same_as_full_build, search_paths, sitemap_lists, Session};
use common::Fixture;
use spravka::serve::{rebuild, Change};
use std::sync::Arc;

const ARTICLE: &str = "База типичных запросов/Не приходит SMS с кодом подтверждения.md";

#[test]
fn every_kind_of_edit_gives_what_a_full_build_gives() {
    let mut s = Session::new(Fixture::default_content());

    let rendered = s.edit(ARTICLE, |t| t + "\nНовое слово: зюзюблик.\n");
    assert_same_as_full_build(&s.f, &s.state, "body edit");
    assert!(
        rendered <= 3,
        "a body edit re-renders the page and feeds, not {rendered} jobs"
    );
    assert_eq!(search_paths(&s.state, "зюзюблик"), [ARTICLE]);

    s.edit(ARTICLE, |t| {
        t.replacen(
            "# Не приходит SMS с кодом подтверждения",
            "# Не приходит СМС-код",
            1,
        )
    });
    assert_same_as_full_build(&s.f, &s.state, "title edit");
    assert!(
        s.state
            .current()
            .site
            .page_by_path(ARTICLE)
            .unwrap()
            .doc
            .title
            == "Не приходит СМС-код"
    );

    s.edit(ARTICLE, |t| {
        t.replacen("| **Теги** |", "| **Теги** | особыйтег,", 1)
    });
    assert_same_as_full_build(&s.f, &s.state, "tags edit");

    let new_page = "База типичных запросов/Новая статья.md";
    s.edit(new_page, |_| {
        "# Новая статья\n\nТекст про квазипростоквашу, см. [SMS](<Не приходит SMS с кодом подтверждения.md>).\n".to_string()
    });
    assert_same_as_full_build(&s.f, &s.state, "page added");
    assert!(
        s.state
            .current()
            .site
            .pages
            .iter()
            .all(|p| p.doc.source.is_spilled()),
        "once served, a rebuild's texts leave memory, the new page's too"
    );
    assert_eq!(
        search_paths(&s.state, "квазипростокваша")
            .first()
            .map(String::as_str),
        Some(new_page)
    );
    let current = s.state.current();
    let url = &current.site.page_by_path(ARTICLE).unwrap().url;
    let html = current.files.get(&spravka::site::urls::output_path(url));
    assert!(
        html.is_some_and(|h| String::from_utf8_lossy(&h.read().unwrap()).contains("Новая статья")),
        "the backlink appears"
    );

    let renamed = "База типичных запросов/Переименованная статья.md";
    std::fs::rename(s.path(new_page), s.path(renamed)).unwrap();
    s.rebuild(&[new_page, renamed]);
    assert_same_as_full_build(&s.f, &s.state, "page renamed");
    let found = search_paths(&s.state, "квазипростокваша");
    assert_eq!(found.first().map(String::as_str), Some(renamed));
    assert!(
        !found.iter().any(|p| p == new_page),
        "the old name is gone from the index"
    );

    std::fs::remove_file(s.path(renamed)).unwrap();
    s.rebuild(&[renamed]);
    assert_same_as_full_build(&s.f, &s.state, "page deleted");
    let found = search_paths(&s.state, "квазипростокваша");
    assert!(
        !found.iter().any(|p| p == renamed),
        "gone from the index: {found:?}"
    );

    std::fs::write(s.path("Регламенты/схема.png"), [0x89, b'P', b'N', b'G']).unwrap();
    s.rebuild(&["Регламенты/схема.png"]);
    assert_same_as_full_build(&s.f, &s.state, "asset added");
}

/// When another change is waiting, the watcher swaps a rebuild in without its feeds and
/// client index (they cover every page: the waiting change would wait for them). The next
/// rebuild writes them, even when its own change leaves them as they were (an image).
#[test]
fn feeds_left_for_a_waiting_change_are_written_by_the_next_rebuild() {
    let mut s = Session::new(Fixture::default_content());
    let new_page = s.add_page_leaving_the_feeds();
    assert!(!sitemap_lists(&s.state, new_page), "the feeds wait");
    let image = s.write_image();
    s.swap_in(&[image]);
    spravka::serve::complete(&s.state);
    assert!(sitemap_lists(&s.state, new_page), "written at last");
    assert_same_as_full_build(&s.f, &s.state, "feeds left, then an image added");
}

/// The watcher writes the feeds on a thread of their own, without the builder: a change
/// swapped in meanwhile must neither be replaced by the older snapshot's completion nor be
/// left without the feeds, even when its own change leaves them as they were (an image).
#[test]
fn feeds_written_for_a_snapshot_replaced_meanwhile_are_not_served_and_written_again() {
    let mut s = Session::new(Fixture::default_content());
    let new_page = s.add_page_leaving_the_feeds();
    let (older, writer) = spravka::serve::feeds_to_write(&s.state).expect("feeds left");
    let image = s.write_image();
    s.swap_in(&[image]);
    let newer = s.state.current();
    let done = writer.complete(&older);
    assert!(!spravka::serve::serve_completed(&s.state, &older, done));
    assert!(
        Arc::ptr_eq(&s.state.current(), &newer),
        "the newer snapshot stays"
    );
    spravka::serve::complete(&s.state);
    assert!(sitemap_lists(&s.state, new_page), "written at last");
    assert_same_as_full_build(&s.f, &s.state, "feeds of a replaced snapshot");
}

/// A rebuild reads the snapshot it builds upon only once it holds the builder: a completion
/// stored while it waited for the builder is built upon, not lost with its feeds.
#[test]
fn a_rebuild_waiting_for_the_builder_builds_upon_a_completion_stored_meanwhile() {
    let mut s = Session::new(Fixture::default_content());
    let new_page = s.add_page_leaving_the_feeds();
    let (served, writer) = spravka::serve::feeds_to_write(&s.state).expect("feeds left");
    let done = writer.complete(&served);
    let image = s.write_image();
    let image = vec![s.path(image)];
    let state = s.state.clone();
    let mut builder = state.builder.lock().unwrap();
    let rebuilding = std::thread::spawn({
        let state = state.clone();
        move || spravka::serve::swap_in(&state, &Change::Content(image))
    });
    // Long enough for the rebuild to be waiting for the builder.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(spravka::serve::serve_completed_locked(
        &state,
        &mut builder,
        &served,
        done
    ));
    drop(builder);
    rebuilding.join().unwrap();
    assert_eq!(state.current().generation, served.generation + 1);
    spravka::serve::complete(&state);
    assert!(
        sitemap_lists(&state, new_page),
        "the completion was built upon"
    );
    assert_same_as_full_build(&s.f, &s.state, "a completion stored while a rebuild waited");
}

/// Deleting a page that others link to is served at once (its page gone, the links to it
/// marked), and the overlay lists every link that broke with file:line; putting it back
/// clears the list.
#[test]
fn deleting_a_linked_page_is_served_and_lists_the_links_that_broke() {
    let mut s = Session::new(Fixture::default_content());
    let url = s
        .state
        .current()
        .site
        .page_by_path(ARTICLE)
        .unwrap()
        .url
        .clone();
    let linking: Vec<String> = {
        let current = s.state.current();
        let id = current.site.page_id_by_path(ARTICLE).unwrap();
        current.site.pages[id]
            .backlinks
            .iter()
            .map(|&p| current.site.pages[p].doc.rel_path.clone())
            .collect()
    };
    assert!(linking.len() >= 2, "{linking:?}");
    let original = std::fs::read_to_string(s.path(ARTICLE)).unwrap();
    std::fs::remove_file(s.path(ARTICLE)).unwrap();
    s.rebuild(&[ARTICLE]);
    assert_same_as_full_build(&s.f, &s.state, "linked page deleted");
    let current = s.state.current();
    assert!(current.site.page_by_path(ARTICLE).is_none());
    assert!(
        current
            .files
            .get(&spravka::site::urls::output_path(&url))
            .is_none(),
        "{url} is no longer served"
    );
    let problems = s
        .state
        .problems
        .read()
        .unwrap()
        .clone()
        .expect("problems shown");
    for file in &linking {
        assert!(
            problems.contains(&format!("{file}:")),
            "{file} is listed with its line: {problems}"
        );
    }
    assert!(problems.contains("error[broken-link]"), "{problems}");
    s.write(ARTICLE, &original);
    s.rebuild(&[ARTICLE]);
    assert_same_as_full_build(&s.f, &s.state, "linked page restored");
    assert!(s.state.problems.read().unwrap().is_none());
}

/// Templates and config changes rebuild everything into a new folder.
#[test]
fn a_theme_change_is_a_full_rebuild() {
    let s = Session::new(Fixture::default_content());
    let before = s.state.current();
    rebuild(&s.state, &Change::Full);
    let after = s.state.current();
    assert_eq!(after.generation, before.generation + 1);
    assert_ne!(
        after.index_dir(),
        before.index_dir(),
        "a full rebuild indexes into a new folder"
    );
    assert_same_as_full_build(&s.f, &s.state, "full");
}

/// A `[{#T}](…)` link shows its target's title, so editing that title re-renders the page
/// that shows it (here in another section, so nothing else would).
#[test]
fn a_title_shown_by_a_title_link_follows_its_edit() {
    let mut s = Session::new(Fixture::default_content());
    s.edit("Регламенты/README.md", |t| {
        t + "\n- [{#T}](<../База типичных запросов/Не приходит SMS с кодом подтверждения.md>)\n"
    });
    assert_same_as_full_build(&s.f, &s.state, "title link added");
    s.edit(ARTICLE, |t| {
        t.replacen(
            "# Не приходит SMS с кодом подтверждения",
            "# Не приходит СМС-код",
            1,
        )
    });
    assert_same_as_full_build(&s.f, &s.state, "title edit shown by a title link");
}

/// A synonym group saved while serving is searched by the next request: between edits the
/// engine keeps the synonyms only while their file is unchanged.
#[test]
fn a_synonym_group_saved_while_serving_is_searched_at_once() {
    let mut s = Session::new(Fixture::default_content());
    // A word no page uses: the group is its only way in.
    assert_eq!(search_paths(&s.state, "смсочка"), Vec::<String>::new());
    s.edit("synonyms.toml", |t| {
        t + "\n[[group]]\nwords = [\"смсочка\", \"SMS\"]\n"
    });
    assert_eq!(
        search_paths(&s.state, "смсочка")
            .first()
            .map(String::as_str),
        Some(ARTICLE)
    );
    // A body edit after it keeps the group.
    s.edit(ARTICLE, |t| t + "\nЕщё строка.\n");
    assert_eq!(
        search_paths(&s.state, "смсочка")
            .first()
            .map(String::as_str),
        Some(ARTICLE)
    );
}

/// A save during the first build has no event (the watcher starts after it): the first
/// rebuild looks at every file, and only later ones take the watcher's word for what changed.
#[test]
fn a_save_made_while_serve_was_starting_is_picked_up_by_the_first_rebuild() {
    let mut s = Session::new(Fixture::default_content());
    let barrier = "База типичных запросов/Контроллер шлагбаума не на связи.md";
    // Written after the first build read it, and named by no event.
    let text = std::fs::read_to_string(s.path(barrier)).unwrap();
    s.write(barrier, &(text + "\nКракозяблик.\n"));
    s.edit(ARTICLE, |t| t + "\nЕщё строка.\n");
    assert_eq!(search_paths(&s.state, "кракозяблик"), [barrier]);
}
