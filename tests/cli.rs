//! The command line as a user meets it: run in the wrong folder, piped into `head`, given
//! nothing to work on, in a base without the default regulations.

mod common;

use common::Fixture;

/// Run where there is no content/, every command that reads or writes a site says where it
/// looked and exits 2, and leaves the folder as it found it: before, `search` and `suggest`
/// indexed an empty base there and answered «escalate», `serve` left its cache, `report`
/// and `feedback` made a database.
#[test]
fn every_command_run_outside_a_site_says_where_it_looked_and_leaves_nothing() {
    let mut f = Fixture::empty();
    let tickets = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        tickets.path(),
        "{\"id\": \"1\", \"text\": \"смс\", \"expected\": []}\n",
    )
    .unwrap();
    let ticket_file = tickets.path().to_str().unwrap();
    for command in [
        &["check"][..],
        &["build"],
        &["search", "смс"],
        &["suggest", "смс"],
        &["serve", "--bind", "127.0.0.1:0"],
        &["report"],
        &["feedback", "export"],
        &["tune", "--tickets", ticket_file],
    ] {
        f.run(command);
        assert_eq!(f.code(), Some(2), "{command:?}: {}", f.stderr());
        assert!(
            f.stderr().contains("content folder") && f.stderr().contains("does not exist"),
            "{command:?}: {}",
            f.stderr()
        );
        let left: Vec<_> = std::fs::read_dir(f.root()).unwrap().collect();
        assert!(left.is_empty(), "{command:?} left {left:?}");
    }
}

/// `spravka search … | head -1`: the command ends when the pipe closes, without a panic.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let f = Fixture::new("basic");
    let mut child = std::process::Command::new(common::binary())
        .args(["search", "--limit", "50", "шлагбаум", "--root"])
        .arg(f.root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the first line is written (indexing comes first).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}", out.status);
}

/// As `POST /api/suggest` refuses an empty `text`: nothing to suggest for is a mistake, not a
/// ticket the base cannot answer.
#[test]
fn an_empty_ticket_is_refused() {
    let mut f = Fixture::new("basic");
    f.run(&["suggest", "  "]);
    assert_eq!(f.code(), Some(2), "{}", f.stdout());
    assert!(f.stderr().contains("the ticket is empty"), "{}", f.stderr());
}

/// With no article for a ticket, suggest names the regulations the operator page names, only
/// those this base has.
#[test]
fn the_escalation_advice_names_only_regulations_the_base_has() {
    let nothing = "зюзюблик квазипростокваша";
    let mut default = Fixture::default_content();
    default.run(&["suggest", nothing]).success();
    assert!(
        default.stdout().contains(
            "действуйте по регламенту: Регламенты/Эскалация в отдел разработки.md и Процессы технической поддержки.md"
        ),
        "{}",
        default.stdout()
    );
    let mut other = Fixture::new("basic");
    other.run(&["suggest", nothing]).success();
    assert!(
        other
            .stdout()
            .contains("действуйте по регламенту эскалации вашего отдела")
            && !other.stdout().contains(".md"),
        "{}",
        other.stdout()
    );
}
