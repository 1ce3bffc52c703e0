//! End to end in a real browser: headless Debian chromium, driven through chromedriver, uses
//! the search box, the operator page with its votes (counted on the writers' report,
//! `/stats/`) and live reload of a real `spravka serve`.

mod common;
mod webdriver;

use common::{Fixture, Server};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::path::Path;
use webdriver::{browser_or_skip, js, screenshot, wait_js, Driver};

const BARRIER: &str = "База типичных запросов/Шлагбаум не открывается по номеру автомобиля.md";
const BARRIER_TITLE: &str = "Шлагбаум не открывается по номеру автомобиля";
const ESCALATION_TITLE: &str = "Эскалация в отдел разработки";

/// Nothing sticks out sideways (the phone layout's first promise).
async fn assert_no_sideways_scroll(c: &Client, page: &str) {
    let widths = js(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth];",
    )
    .await;
    assert!(
        widths[0].as_u64() <= widths[1].as_u64(),
        "{page}: content is wider than the window {widths}"
    );
}

/// The H1 of a content file, as the site shows it.
fn title_of(root: &Path, rel: &str) -> String {
    let text = std::fs::read_to_string(root.join("content").join(rel)).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or_else(|| panic!("{rel} has no H1"))
        .to_string()
}

/// A customer's ticket the SMS article answers (written for this test).
const SMS_TICKET: &str = "Добрый день! Поставил приложение PASS24 на новый телефон, ввожу свой \
номер, а СМС с кодом подтверждения не приходит уже полчаса. Нажимал «Отправить код повторно» \
три раза, баланс положительный, обычные сообщения доходят. Оператор Билайн.";
const SMS_ARTICLE: &str = "База типичных запросов/Не приходит SMS с кодом подтверждения.md";

/// Types into the header search box, checks the live results, then opens the barrier article
/// with the arrow keys and Enter. Returns the article's URL.
async fn search_from_the_header(c: &Client, server: &Server, width: &str) -> String {
    c.goto(&server.url("/")).await.unwrap();
    screenshot(c, &format!("home-{width}")).await;
    assert_no_sideways_scroll(c, "home").await;
    let input = c.find(Locator::Id("search-input")).await.unwrap();
    input.click().await.unwrap();
    input.send_keys("шлагбаум").await.unwrap();
    let titles = wait_js(
        c,
        "search results",
        "if (document.getElementById('search-results').hidden) return null;
         return [...document.querySelectorAll('#search-results [role=option] .sr-title')]
             .map(e => e.textContent);",
    )
    .await;
    let titles: Vec<&str> = titles
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let position = titles
        .iter()
        .position(|t| *t == BARRIER_TITLE)
        .unwrap_or_else(|| panic!("«{BARRIER_TITLE}» not among the results {titles:?}"));
    assert!(position < 3, "«{BARRIER_TITLE}» is only #{}", position + 1);
    assert_eq!(
        input.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    let mode = js(
        c,
        "return document.querySelector('#search-results .search-mode').textContent;",
    );
    assert_eq!(mode.await, "", "the results come from the server's API");
    screenshot(c, &format!("search-{width}")).await;
    assert_no_sideways_scroll(c, "search results").await;

    for _ in 0..=position {
        input.send_keys(&Key::Down).await.unwrap();
    }
    let selected = js(
        c,
        "const o = document.querySelector('#search-results [aria-selected=true]');
         return o && [o.querySelector('.sr-title').textContent, o.href];",
    )
    .await;
    assert_eq!(
        selected[0], BARRIER_TITLE,
        "ArrowDown selects the results in turn"
    );
    let href = selected[1].as_str().unwrap().to_string();
    input.send_keys(&Key::Enter).await.unwrap();
    let h1 = wait_js(
        c,
        "the article opened by Enter",
        &format!(
            "return location.href === {href:?} && document.readyState === 'complete'
                 && document.querySelector('h1').textContent;"
        ),
    )
    .await;
    assert_eq!(h1, BARRIER_TITLE);
    href
}

/// Types `text` into the operator page's ticket box and submits it with a real click.
async fn submit_ticket(c: &Client, text: &str) {
    let area = c.find(Locator::Id("ticket-text")).await.unwrap();
    area.clear().await.unwrap();
    area.send_keys(text).await.unwrap();
    let button = c.find(Locator::Css("#suggest-form [type=submit]")).await;
    button.unwrap().click().await.unwrap();
}

/// Submits a real ticket and a procedural question on the operator page, then the texts
/// below the threshold (`not_confident_notes`).
async fn operator_page(c: &Client, server: &Server, root: &Path, width: &str) {
    let expected = title_of(root, SMS_ARTICLE);
    c.goto(&server.url("/podbor/")).await.unwrap();
    let submit = |text: String| async move { submit_ticket(c, &text).await };

    submit(SMS_TICKET.into()).await;
    let first = wait_js(
        c,
        "suggestions for the SMS ticket",
        "const a = document.querySelector('#suggest-results .suggestion-title');
         return a && [a.textContent, document.getElementById('suggest-not-confident').hidden,
                      a.getBoundingClientRect().bottom <= innerHeight];",
    )
    .await;
    assert_eq!(first[0], expected.as_str(), "the first suggestion");
    assert_eq!(
        first[1], true,
        "a confident answer hides the escalation note"
    );
    assert_eq!(first[2], true, "the first suggestion is scrolled into view");
    screenshot(c, &format!("operator-{width}")).await;
    // The ticket and its first answer in one picture (docs/operator.png is the desktop one).
    js(
        c,
        "document.getElementById('ticket-text').scrollIntoView(); return true;",
    )
    .await;
    screenshot(c, &format!("operator-ticket-{width}")).await;
    assert_no_sideways_scroll(c, "operator page").await;

    // A procedural question: the regulation names the section that matched, linked.
    submit("какие коды закрытия бывают и какой ставить".into()).await;
    let heading = wait_js(
        c,
        "the section named on a regulation's suggestion",
        "const a = document.querySelector('#suggest-results .suggestion .suggestion-heading a');
         return a && [a.textContent, decodeURIComponent(new URL(a.href).hash)];",
    )
    .await;
    assert_eq!(heading[0], "«Коды закрытия»");
    assert_eq!(heading[1], "#коды-закрытия");
    screenshot(c, &format!("operator-heading-{width}")).await;
    not_confident_notes(c, width).await;
}

/// Below the threshold with articles listed, the note does not claim that nothing fits
/// (most often the answer is listed, only not surely): it asks to check them, then escalate
/// by a working link. «Подходящей статьи нет» is for a text that finds nothing.
async fn not_confident_notes(c: &Client, width: &str) {
    submit_ticket(c, "спасибо, всё работает").await;
    let link = wait_js(
        c,
        "the escalation note for an out-of-scope text",
        "const note = document.getElementById('suggest-not-confident');
         if (note.hidden) return null;
         const a = [...note.querySelectorAll('a')].find(a => a.textContent.includes('Эскалация'));
         const list = document.getElementById('suggest-results');
         const weak = list.classList.contains('is-weak')
             && !document.getElementById('suggest-weak-note').hidden;
         return [note.innerText, a ? a.href : null, weak, list.children.length,
                 document.getElementById('suggest-status').textContent];",
    )
    .await;
    let note = link[0].as_str().unwrap();
    assert!(link[3].as_u64().unwrap() > 0, "articles are listed: {link}");
    assert!(note.contains("Уверенного совпадения нет"), "{link}");
    assert!(note.contains("Сверьте симптомы"), "{link}");
    assert!(!note.contains("Подходящей статьи нет"), "{link}");
    let status = link[4].as_str().unwrap();
    assert!(
        status.contains("Найдено статей") && !status.contains("Уверенного совпадения нет"),
        "the status says how many, and does not repeat the note's title: {link}"
    );
    assert_eq!(
        link[2], true,
        "every article listed is marked as a weak guess: {link}"
    );
    screenshot(c, &format!("operator-not-sure-{width}")).await;
    let href = link[1]
        .as_str()
        .expect("a link to the escalation regulation");
    let page = reqwest::get(href).await.unwrap().text().await.unwrap();
    assert!(
        page.contains(ESCALATION_TITLE),
        "{href} is not the escalation regulation"
    );

    // Nothing found at all: now the note says that no article fits.
    submit_ticket(c, "ъъъ ыыы").await;
    let empty = wait_js(
        c,
        "the note for a text that finds nothing",
        "const note = document.getElementById('suggest-not-confident');
         if (note.hidden) return null;
         return [note.innerText, document.getElementById('suggest-results').children.length];",
    )
    .await;
    let note = empty[0].as_str().unwrap();
    assert_eq!(empty[1], 0, "{empty}");
    assert!(note.contains("Подходящей статьи нет"), "{empty}");
    assert!(!note.contains("Уверенного совпадения нет"), "{empty}");
    assert!(note.contains("Эскалация"), "{empty}");
    likely_badges_follow_the_pages_threshold(c).await;
}

/// The «likely» badge reads the threshold the page carries (`data-min-probability`, from
/// spravka.toml: `tests/suggest.rs::the_confidence_threshold_comes_from_spravka_toml`): at
/// the default 0.5 none of the weak answers is marked, at 0.1 exactly those of 10 % or more.
async fn likely_badges_follow_the_pages_threshold(c: &Client) {
    let badges =
        "const b = [...document.querySelectorAll('#suggest-results .suggestion-probability')];
         if (!b.length) return null;
         return b.map(e => [parseInt(e.textContent), e.classList.contains('is-likely')]);";
    let mut marked = Vec::new();
    for threshold in ["0.5", "0.1"] {
        c.execute(
            "document.getElementById('suggest-results').replaceChildren();
             document.getElementById('suggest-form').setAttribute('data-min-probability', arguments[0]);",
            vec![threshold.into()],
        )
        .await
        .unwrap();
        submit_ticket(c, "спасибо, всё работает").await;
        let shown = wait_js(c, "the weak answers' badges", badges).await;
        let limit: f64 = threshold.parse().unwrap();
        for badge in shown.as_array().unwrap() {
            let (percent, likely) = (badge[0].as_f64().unwrap(), badge[1].as_bool().unwrap());
            // The badge rounds: compare away from the edge.
            if (percent / 100.0 - limit).abs() > 0.01 {
                assert_eq!(likely, percent / 100.0 >= limit, "at {threshold}: {shown}");
            }
        }
        marked.push(
            shown
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b[1] == true)
                .count(),
        );
    }
    assert_eq!(marked[0], 0, "no weak answer is likely at 0.5");
    assert!(marked[1] > 0, "the first (19 %) is likely at 0.1");
    c.execute(
        "document.getElementById('suggest-form').setAttribute('data-min-probability', '0.5');",
        vec![],
    )
    .await
    .unwrap();
}

/// Clicks (a real click) the button `css` and waits for its confirmation in `note`; then every
/// button of its group is disabled.
async fn vote(c: &Client, css: &str, note: &str, group: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let state = wait_js(
        c,
        &format!("the confirmation of {css}"),
        &format!(
            "const note = document.querySelector({note:?});
             if (!note.textContent) return null;
             return [note.textContent, [...document.querySelectorAll({group:?})]
                 .every(b => b.getAttribute('aria-disabled') === 'true')];"
        ),
    )
    .await;
    assert_eq!(state[0], "Спасибо, учтено", "{css}");
    assert_eq!(
        state[1], true,
        "{css}: its buttons are disabled after the vote"
    );
}

/// The totals of /stats/ by their label, and its articles' rows: [title, helped, wrong,
/// opened].
async fn report_on_the_page(c: &Client) -> (Value, Value) {
    let totals = js(
        c,
        "return Object.fromEntries([...document.querySelectorAll('.stats-totals div')]
             .map(d => [d.querySelector('dt').textContent, Number(d.querySelector('dd').textContent)]));",
    )
    .await;
    let rows = js(
        c,
        "return [...document.querySelectorAll('#articles-title ~ .table-wrap tbody tr')]
             .map(r => [...r.cells].map((c, i) => i ? Number(c.textContent) : c.textContent.trim()));",
    )
    .await;
    (totals, rows)
}

/// «Помогло» on the first suggestion, «Не то» on the second, «Подходящей статьи нет»: each
/// confirmed, its buttons disabled; then /stats/ counts them, and the barrier article opened
/// from the search box (by Enter, at both widths), in light and dark and on a phone.
async fn votes_reach_the_report(c: &Client, server: &Server) {
    c.goto(&server.url("/podbor/")).await.unwrap();
    let stats = wait_js(
        c,
        "the link to the report (the server answers)",
        "const p = document.getElementById('operator-stats'); return !p.hidden && p.querySelector('a').href;",
    )
    .await;
    let area = c.find(Locator::Id("ticket-text")).await.unwrap();
    area.send_keys(SMS_TICKET).await.unwrap();
    let submit = c.find(Locator::Css("#suggest-form [type=submit]")).await;
    submit.unwrap().click().await.unwrap();
    let titles = wait_js(
        c,
        "two suggestions with their votes",
        "const s = [...document.querySelectorAll('#suggest-results .suggestion')];
         return s.length >= 2 && s.every(li => li.querySelectorAll('.suggestion-votes button').length === 2)
             && !document.getElementById('suggest-none').hidden
             && s.slice(0, 2).map(li => li.querySelector('.suggestion-title').textContent);",
    )
    .await;
    let item = |n: u8| format!("#suggest-results .suggestion:nth-child({n}) .suggestion-votes");
    for (n, button) in [(1, 1), (2, 2)] {
        let group = item(n);
        let css = format!("{group} button:nth-of-type({button})");
        vote(
            c,
            &css,
            &format!("{group} .vote-note"),
            &format!("{group} button"),
        )
        .await;
    }
    let none = "#suggest-none button";
    vote(c, none, "#suggest-none .vote-note", none).await;
    screenshot(c, "operator-votes-desktop").await;

    c.set_window_size(1280, 1500).await.unwrap();
    c.goto(stats.as_str().unwrap()).await.unwrap();
    let (totals, rows) = report_on_the_page(c).await;
    assert_eq!(totals["Помогло"], 1, "{totals}");
    assert_eq!(totals["Не то"], 1, "{totals}");
    assert_eq!(totals["Подходящей статьи нет"], 1, "{totals}");
    let row = |title: &Value| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r[0] == *title)
            .cloned()
    };
    assert_eq!(
        row(&titles[0]).unwrap()[1],
        1,
        "«Помогло» on {}: {rows}",
        titles[0]
    );
    assert_eq!(
        row(&titles[1]).unwrap()[2],
        1,
        "«Не то» on {}: {rows}",
        titles[1]
    );
    let barrier = row(&json!(BARRIER_TITLE)).unwrap_or_else(|| panic!("{rows}"));
    assert!(barrier[3].as_u64() >= Some(1), "opened from search: {rows}");
    screenshot(c, "stats-light-desktop").await;
    let dark = "const b = document.querySelector('.theme-toggle');
        for (let n = 0; n < 3 && b.getAttribute('data-theme-state') !== 'dark'; n++) b.click();
        return b.getAttribute('data-theme-state');";
    assert_eq!(js(c, dark).await, "dark");
    // Colours change in a transition: the picture is taken once it is over.
    let settled = "return document.getAnimations().length === 0;";
    wait_js(c, "the dark theme's colours", settled).await;
    screenshot(c, "stats-dark-desktop").await;
    c.set_window_size(390, 844).await.unwrap();
    assert_no_sideways_scroll(c, "/stats/").await;
    screenshot(c, "stats-dark-phone").await;
    let auto = dark.replace("'dark'", "'auto'");
    assert_eq!(js(c, &auto).await, "auto");
    c.set_window_size(1280, 900).await.unwrap();
}

/// Edits the open article on disk: the page reloads itself at the same scroll position; a
/// broken link shows the overlay with file:line; the fix removes it.
async fn live_reload(c: &Client, root: &Path, url: &str) {
    let file = root.join("content").join(BARRIER);
    let original = std::fs::read_to_string(&file).unwrap();
    c.goto(url).await.unwrap();
    wait_js(
        c,
        "the article",
        "return document.readyState === 'complete';",
    )
    .await;
    let scrolled = js(c, "window.scrollTo(0, 600); return window.scrollY;").await;
    assert_eq!(scrolled, 600, "the article is long enough to scroll");
    // Gone after a reload: proves the page reloaded by itself rather than being re-rendered.
    let mark = "window.spravkaTestMark = true; return true;";
    js(c, mark).await;

    let word = "живаяперезагрузкаработает";
    let edited = format!("{original}\n{word}\n");
    std::fs::write(&file, &edited).unwrap();
    let scroll = wait_js(
        c,
        "the page to reload with the new word",
        &format!(
            "return !window.spravkaTestMark && document.readyState === 'complete'
                 && document.body.innerText.includes({word:?}) && [window.scrollY];"
        ),
    )
    .await;
    let y = scroll[0].as_f64().unwrap();
    assert!((y - 600.0).abs() < 50.0, "scroll position kept: {y}");
    assert_eq!(c.current_url().await.unwrap().as_str(), url);

    js(c, mark).await;
    let broken = format!("{edited}\n[соседняя статья](нет-такого.md)\n");
    let line = broken.lines().count();
    std::fs::write(&file, &broken).unwrap();
    // A save with a broken link is served like any other: the page reloads with the link
    // marked, and the overlay lists the problem.
    let overlay = wait_js(
        c,
        "the reloaded page with the broken link marked and the error overlay",
        "if (window.spravkaTestMark || document.readyState !== 'complete') return null;
         const marked = [...document.querySelectorAll('main .broken-link')]
             .some(e => e.textContent === 'соседняя статья');
         const o = document.getElementById('spravka-overlay');
         return marked && o && o.offsetHeight > 0 && o.textContent;",
    )
    .await;
    let location = format!("{BARRIER}:{line}:");
    assert!(
        overlay.as_str().unwrap().contains(&location),
        "the overlay names {location}: {overlay}"
    );

    js(c, mark).await;
    let fixed = broken.replace(
        "(нет-такого.md)",
        "(<Шлагбаум не открывается из приложения.md>)",
    );
    std::fs::write(&file, fixed).unwrap();
    let href = wait_js(
        c,
        "the fixed page without the overlay",
        "if (window.spravkaTestMark || document.readyState !== 'complete'
             || document.getElementById('spravka-overlay')) return null;
         const a = [...document.querySelectorAll('main a')]
             .find(a => a.textContent === 'соседняя статья');
         return a && a.href;",
    )
    .await;
    let page = reqwest::get(href.as_str().unwrap()).await.unwrap();
    assert!(page.status().is_success(), "the fixed link opens: {href}");
}

#[test]
fn the_site_works_in_a_real_browser() {
    let Some((chromedriver, chromium)) = browser_or_skip("the browser test") else {
        return;
    };
    let kb = Fixture::default_content();
    // As README's first command starts it: in the site's folder, with the default root, so
    // the live reload below is the one a writer gets.
    let server = Server::start_in(kb.root());
    let driver = Driver::start(&chromedriver, chromium);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let c = driver.session().await;
        let mut article = String::new();
        for (width, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
            c.set_window_size(w, h).await.unwrap();
            article = search_from_the_header(&c, &server, width).await;
            operator_page(&c, &server, kb.root(), width).await;
        }
        c.set_window_size(1280, 900).await.unwrap();
        votes_reach_the_report(&c, &server).await;
        live_reload(&c, kb.root(), &article).await;
        c.close().await.unwrap();
    });
}

/// The search box of a site opened from disk (no server: the static client over the chunked
/// index under `search/`) forgives what the server forgives: a typo, transliteration, the
/// wrong keyboard layout, also while the word is half typed. It reads its vocabulary from the
/// index, and loads only the parts of the index a query needs.
#[test]
fn the_static_search_box_forgives_typos_translit_and_the_wrong_layout() {
    let Some((chromedriver, chromium)) = browser_or_skip("the static search test") else {
        return;
    };
    let mut kb = Fixture::default_content();
    // A model code in a title: the server indexes `H52` with its Latin look-alike folded
    // (`н52`; transliteration would read `х52`), and the client must fold what is typed the same way.
    kb.write(
        "content/База типичных запросов/Считыватель H52 не видит пропуск.md",
        "# Считыватель H52 не видит пропуск\n\nСчитыватель модели H52 на калитке не читает пропуск.\n",
    );
    kb.build().success();
    let entry = std::fs::read_to_string(kb.out().join("search/index.js")).unwrap();
    assert!(
        entry.contains("\"vocabulary\"") && entry.contains("[[\"шлагбаум\"],[\"барьер\"]"),
        "the client index carries the synonyms as index stems"
    );
    let parts = walkdir::WalkDir::new(kb.out().join("search"))
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count();
    let home = format!("file://{}", kb.out().join("index.html").display());
    let driver = Driver::start(&chromedriver, chromium);
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let c = driver.session().await;
        for query in common::FORGIVEN_BARRIER_QUERIES {
            type_in_static_search(&c, &home, query).await;
            let titles = wait_js(
                &c,
                &format!("static results for {query:?}"),
                "if (document.getElementById('search-results').hidden) return null;
                 const t = [...document.querySelectorAll('#search-results [role=option] .sr-title')]
                     .map(e => e.textContent);
                 return t.length ? t : null;",
            )
            .await;
            let first = titles[0].as_str().unwrap_or("");
            assert!(first.starts_with("Шлагбаум"), "{query:?}: {titles}");
            let loaded = js(&c, "return window.__spravkaSearch.loaded.length;").await;
            let loaded = loaded.as_u64().unwrap() as usize;
            assert!(
                (3..parts / 2).contains(&loaded),
                "{query:?}: {loaded} of the index's {parts} files loaded"
            );
        }
        screenshot(&c, "static-search").await;
        type_in_static_search(&c, &home, "h52 ").await;
        let first = wait_js(
            &c,
            "the static search's answer to the code «h52»",
            "const t = document.querySelector('#search-results [role=option] .sr-title');
             return t && t.textContent;",
        )
        .await;
        assert_eq!(first, "Считыватель H52 не видит пропуск");
        // A word that is also a property of every JavaScript object is only a word.
        type_in_static_search(&c, &home, "constructors ").await;
        let note = wait_js(
            &c,
            "the static search's answer to «constructors»",
            "const n = document.querySelector('#search-results .search-note');
             return n && !n.hidden && n.textContent;",
        )
        .await;
        assert!(
            note.as_str().unwrap().starts_with("Ничего не найдено"),
            "{note}"
        );
        static_tag_filter(&c, &home, &kb.out()).await;
        static_search_across_a_rebuild(&c, &mut kb, &home).await;
        c.close().await.unwrap();
    });
}

/// A page open across a rebuild holds an entry naming index files the rebuild pruned: its
/// next search starts again from the newest entry and finds what was added.
async fn static_search_across_a_rebuild(c: &Client, kb: &mut Fixture, home: &str) {
    c.goto(home).await.unwrap();
    let input = c.find(Locator::Id("search-input")).await.unwrap();
    input.click().await.unwrap();
    wait_js(
        c,
        "the entry of the first build",
        "return window.__spravkaSearch.loaded.includes('index.js') || null;",
    )
    .await;
    kb.write(
        "content/База типичных запросов/Квазипростокваша на датчике.md",
        "# Квазипростокваша на датчике\n\nДатчик шлагбаума залит квазипростоквашей.\n",
    );
    kb.build().success();
    input.send_keys("квазипростокваша ").await.unwrap();
    let first = wait_js(
        c,
        "the new page found from the tab opened before the rebuild",
        "const t = document.querySelector('#search-results [role=option] .sr-title');
         return t && t.textContent;",
    )
    .await;
    assert_eq!(first, "Квазипростокваша на датчике");
}

/// A tag chip of the static search keeps exactly the hits with that tag: the client reads the
/// tag's pages from its bucket file; the site's own tag page is the reference.
/// Opens the home page from disk and types `text` into its search box.
async fn type_in_static_search(c: &Client, home: &str, text: &str) {
    c.goto(home).await.unwrap();
    let input = c.find(Locator::Id("search-input")).await.unwrap();
    input.click().await.unwrap();
    input.send_keys(text).await.unwrap();
}

async fn static_tag_filter(c: &Client, home: &str, out: &Path) {
    c.goto(home).await.unwrap();
    let input = c.find(Locator::Id("search-input")).await.unwrap();
    input.click().await.unwrap();
    input.send_keys("пропуск ").await.unwrap();
    let tag = wait_js(
        c,
        "a tag chip",
        "const chips = [...document.querySelectorAll('#search-results button[data-facet=tag]')];
         // The rarest tag among the hits shown: the filter must drop most of them.
         const b = chips[chips.length - 1];
         if (!b) return null;
         b.click();
         return b.getAttribute('data-value');",
    )
    .await;
    let tag = tag.as_str().unwrap().to_string();
    let titles = wait_js(
        c,
        "hits of the tag",
        "if (!document.querySelector('#search-results button[aria-pressed=true]')) return null;
         const t = [...document.querySelectorAll('#search-results [role=option] .sr-title')]
             .map(e => e.textContent);
         return t.length ? t : null;",
    )
    .await;
    let tag_page = walkdir::WalkDir::new(out.join("tags"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|html| html.contains(&format!("<h1>{tag}")) || html.contains(&format!("«{tag}»")))
        .unwrap_or_else(|| panic!("no tag page for {tag}"));
    for title in titles.as_array().unwrap() {
        let title = title.as_str().unwrap();
        assert!(tag_page.contains(title), "«{title}» is not tagged {tag}");
    }
}
