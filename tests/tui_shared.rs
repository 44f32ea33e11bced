//! The operator's screen on a shared run, with the real binary in tmux: two screens (two data
//! dirs: "two machines") on one run see each other's changes and each other in the header; and the
//! link-failure proof — the server stops mid-window, changes made on the screen wait ("N changes not
//! shared yet"), the server comes back, they drain in order, and a conflicting change another
//! client made meanwhile is refused and shown, never merged.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// support/pg.rs and pty/tmux.rs each bring tests/support/tools.rs.
#![allow(clippy::duplicate_mod)]

#[path = "support/run_helpers.rs"]
mod helpers;
#[path = "support/pg.rs"]
mod pg;
#[path = "pty/tmux.rs"]
mod tmux;

use runsheet::pg::engine::SharedStore;
use runsheet::run::intent::Intent;

/// A shell command line running the screen on `id` as `name`, on `store`, from `env`'s data dir.
fn screen_cmd(env: &helpers::Env, store: &str, id: &str, name: &str) -> String {
    format!(
        "env RUNSHEET_STORE='{store}' RUNSHEET_DATA_DIR='{}' HOME='{}' XDG_CONFIG_HOME='{}' TERM=xterm-256color {} resume {id} --as '{name}' --ascii",
        env.data().display(),
        env.tmp.path().display(),
        env.tmp.path().join("config").display(),
        helpers::bin()
    )
}

/// The pid of the runsheet a pane runs as its shell's child (`…; true`, so the shell waits for it
/// rather than exec it).
fn runsheet_pid(pane_pid: &str) -> String {
    let pid = tmux::child_of(pane_pid).expect("the pane's shell has a child");
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "runsheet", "the shell's child is runsheet");
    pid
}

/// Waits (up to 5 s) until process `pid` is in state `want`.
fn wait_for_state(pid: &str, want: char) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while tmux::proc_state(pid) != Some(want) {
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} is {:?}, not {want:?}, 5 s after the signal",
            tmux::proc_state(pid)
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn start_shared(env: &helpers::Env, store: &str, fixture: &str) -> String {
    let tpl = env.template_copy(fixture);
    let out = env
        .cmd()
        .args(["start", tpl.to_str().unwrap()])
        .env("RUNSHEET_STORE", store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn two_screens_on_a_shared_run_see_each_others_changes_and_presence() {
    let Some(db) = pg::TestDb::new("tui_two_screens") else {
        return;
    };
    db.init();
    let laptop = helpers::Env::new();
    let bastion = helpers::Env::new();
    let id = start_shared(&laptop, &db.conninfo, "small.md");
    let Some(a) = tmux::Tmux::start_sized(
        "shared-a",
        &screen_cmd(&laptop, &db.conninfo, &id, "Alice"),
        120,
        30,
    ) else {
        return;
    };
    let b = tmux::Tmux::start_sized(
        "shared-b",
        &screen_cmd(&bastion, &db.conninfo, &id, "Bob"),
        120,
        30,
    )
    .expect("tmux");
    a.wait("Warn support");
    b.wait("Warn support");
    // Each header names the other screen (presence on the shared store).
    a.wait_until(30, "Bob in Alice's header", |s| {
        s.contains("also open: Bob")
    });
    b.wait_until(30, "Alice in Bob's header", |s| {
        s.contains("also open: Alice")
    });
    // Alice ticks the first item; Bob's screen shows it done, by Alice, without a key pressed.
    a.keys("p", &["Space"]);
    a.wait_until(20, "Alice's tick", |s| s.contains("1/3"));
    b.wait_until(10, "Alice's tick on Bob's screen", |s| s.contains("1/3"));
    // And back: Bob's change reaches Alice.
    b.keys("p", &["j", "Space"]);
    a.wait_until(10, "Bob's tick on Alice's screen", |s| s.contains("2/3"));
    a.keys("p", &["q"]);
    b.keys("p", &["q"]);
}

#[test]
fn link_failure_changes_wait_then_drain_in_order_and_a_conflict_is_refused_and_shown() {
    if !pg::can_start_clusters("tui_link_failure") {
        return;
    }
    let cluster = pg::Cluster::start(&[]);
    let db = pg::TestDb::on(&cluster.admin, "tuilinkdown");
    db.init();
    let env = helpers::Env::new();
    let id = start_shared(&env, &db.conninfo, "kinds.md");
    // `; true`: the shell does not exec runsheet but waits for it, so runsheet is not the pane's
    // own process. tmux continues a pane's process the moment it stops (its job control), which
    // made the pause below last only as long as tmux took to notice; a stopped grandchild stays
    // stopped.
    let Some(t) = tmux::Tmux::start_sized(
        "shared-link",
        &format!("{}; true", screen_cmd(&env, &db.conninfo, &id, "Alice")),
        140,
        32,
    ) else {
        return;
    };
    t.wait("Stop the writer");
    // The server stops mid-window.
    cluster.halt();
    // Two ticks and a sign-off on the screen while it is down.
    t.keys("p", &["Space"]);
    t.wait_until(30, "one change waiting", |s| {
        s.contains("1 change not shared yet")
    });
    t.keys("p", &["j", "Space"]);
    t.wait_until(30, "two changes waiting", |s| {
        s.contains("2 changes not shared yet")
    });
    t.keys("p", &["G", "s"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    t.keys("p", &["Enter"]);
    t.wait_until(30, "three changes waiting", |s| {
        s.contains("3 changes not shared yet")
    });
    // The screen is paused (so it cannot send first) while the server comes back and another
    // client signs the same item: the conflict is certain, whatever the machine's speed. The
    // process paused is runsheet's own (the shell's child), and the server starts only once the
    // kernel says it is stopped.
    let pid = runsheet_pid(&t.pane_pid());
    let signal = |sig: &str| {
        let ok = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid}");
    };
    signal("-STOP");
    wait_for_state(&pid, 'T');
    cluster.restart();
    let mut other = SharedStore::connect(db.settings())
        .unwrap()
        .open(&id)
        .unwrap();
    let item = other
        .template
        .items
        .iter()
        .find(|i| i.text.contains("Change Manager"))
        .unwrap()
        .id
        .clone();
    assert_eq!(
        tmux::proc_state(&pid),
        Some('T'),
        "the screen is still paused when the other client signs"
    );
    let dana = other.append(
        &Intent::Sign {
            item,
            signer: Some("Dana".into()),
        },
        &pg::actor("Dana"),
        pg::now(),
    );
    if let Err(e) = dana {
        // What reached the server first, and what the screen showed, for whoever reads this.
        let events: Vec<String> = other
            .events()
            .unwrap_or_default()
            .iter()
            .map(|e| format!("{} {} by {} at {}", e.seq, e.change.kind(), e.by.name, e.at))
            .collect();
        panic!(
            "the other client could not sign while the screen's changes waited: {e}\n\
             runsheet {pid} state {:?}\nserver events: {events:#?}\nscreen:\n{}",
            tmux::proc_state(&pid),
            t.screen()
        );
    }
    signal("-CONT");
    // The waiting changes drain in order once the screen reaches the server; the header clears,
    // and the sign-off Dana made meanwhile makes Alice's a refusal, shown on the screen.
    let s = t.wait_until(60, "the outbox drained and the refusal shown", |s| {
        !s.contains("not shared yet") && s.contains("refused")
    });
    assert!(!s.contains("NOT SAVED"), "{s}");
    let events = other.events().unwrap();
    let ticks: Vec<String> = events
        .iter()
        .filter(|e| e.change.kind() == "tick")
        .map(|e| e.change.item().unwrap().to_string())
        .collect();
    assert_eq!(ticks.len(), 2, "{ticks:?}");
    assert!(
        ticks[0].starts_with("stop-the-writer") && ticks[1].starts_with("stop-the-reader"),
        "in the operator's order: {ticks:?}"
    );
    let signs: Vec<&runsheet::run::event::Event> = events
        .iter()
        .filter(|e| e.change.kind() == "sign")
        .collect();
    assert_eq!(
        signs.len(),
        1,
        "one sign-off: the conflicting one was refused, not merged"
    );
    assert_eq!(signs[0].by.name, "Dana");
    t.keys("p", &["q"]);
}
