//! Closed-loop steps on the screen, key by key on `App` (no terminal, no process: the harness plays
//! the session, and the test says what the command printed and how it ended): `r` shows what
//! runs and runs nothing without a confirmation, a destructive block wants the item's code, the
//! pane streams output while the checklist stays usable, Ctrl-C interrupts the command (not
//! runsheet), the result is recorded and the tick or the failure offered, secrets never show.
#![allow(clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use runsheet::app::command::{CommandLive, CommandRequest};
use runsheet::app::{Action, KeyMode, Mode};
use runsheet::harness::Harness;
use runsheet::run::event::{Actor, Change, CommandEnd, Event};
use runsheet::run::state::ItemState;

const LOOP: &str = include_str!("fixtures/exec/closed-loop.md");
const SECTION: &str = include_str!("fixtures/tui/commands.md");

fn h() -> Harness {
    Harness::new(LOOP, &[("VERSION", "2.4.1")], 120, 40)
}

fn goto(h: &mut Harness, needle: &str) {
    let row = h.row_of(needle);
    h.app.cursor = row;
}

fn screen(h: &Harness) -> String {
    let (w, hh) = h.app.size;
    let mut t = Terminal::new(TestBackend::new(w, hh)).expect("terminal");
    t.draw(|f| {
        runsheet::ui::render(&h.app, &h.keymap, f);
    })
    .expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn starts(h: &Harness) -> usize {
    h.commands
        .iter()
        .filter(|c| matches!(c, CommandRequest::Start { .. }))
        .count()
}

fn record(h: &Harness, needle: &str) -> runsheet::run::state::ItemRecord {
    let id = h.app.template.items[h.item(needle)].id.clone();
    h.app.run.items.get(&id).cloned().expect("item record")
}

/// `r`, then the confirmation: the item's command is started.
fn run_it(h: &mut Harness, needle: &str) {
    goto(h, needle);
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::RunConfirm, "{}", h.message());
    h.keys(&["y"]);
    assert!(
        h.app.pane.as_ref().is_some_and(|p| p.running()),
        "not running: {}",
        h.message()
    );
}

#[test]
fn r_shows_exactly_what_runs_and_nothing_runs_without_a_confirmation() {
    let mut h = h();
    goto(&mut h, "Smoke test fails");
    h.keys(&["r"]);
    let Mode::RunConfirm { preview, .. } = &h.app.mode else {
        panic!("no confirmation: {:?} / {}", h.app.mode, h.message());
    };
    assert!(
        preview.preview.contains("echo \"checking 2.4.1\""),
        "variables substituted: {}",
        preview.preview
    );
    let shown = screen(&h);
    assert!(shown.contains("run this command?"), "{shown}");
    assert!(shown.contains("exit 3"), "the exact text is shown: {shown}");
    h.keys(&["Esc"]);
    assert_eq!(starts(&h), 0, "Esc runs nothing");
    let id = h.app.template.items[h.item("Smoke test fails")].id.clone();
    assert!(
        h.app
            .run
            .items
            .get(&id)
            .is_none_or(|r| r.commands.is_empty())
    );
    assert!(h.message().contains("not run"), "{}", h.message());
    // `n` refuses as well.
    h.keys(&["r", "n"]);
    assert_eq!(starts(&h), 0);
}

#[test]
fn a_failing_command_streams_into_the_pane_and_offers_failed_with_its_output() {
    let mut h = h();
    run_it(&mut h, "Smoke test fails");
    let rec = record(&h, "Smoke test fails");
    assert_eq!(rec.commands.len(), 1, "command_started is in the run");
    assert!(rec.commands[0].unfinished());
    h.command_output("checking 2.4.1\n");
    h.command_output("checkout returned 502\n");
    let shown = screen(&h);
    assert!(shown.contains("checkout returned 502"), "the pane: {shown}");
    assert!(shown.contains("running 0:0"), "its status: {shown}");
    assert!(
        shown.contains("running: Smoke test fails (Alice, 0:0"),
        "the header names it: {shown}"
    );
    h.command_exit(3, 2);
    let rec = record(&h, "Smoke test fails");
    let f = rec.commands[0].finished.as_ref().expect("command_finished");
    assert_eq!((f.end, f.exit_code), (CommandEnd::Exited, Some(3)));
    let id = h.app.template.items[h.item("Smoke test fails")].id.clone();
    assert_eq!(
        h.app.mode,
        Mode::CommandDone {
            item: id,
            ok: false
        }
    );
    assert!(screen(&h).contains("mark it failed"));
    h.keys(&["y"]);
    assert_eq!(h.state("Smoke test fails"), ItemState::Failed);
    let note = record(&h, "Smoke test fails")
        .current()
        .and_then(|e| e.reason.clone())
        .expect("failure note");
    assert!(note.contains("exit 3"), "{note}");
    assert!(
        note.contains("checkout returned 502"),
        "the output's tail: {note}"
    );
}

#[test]
fn exit_0_offers_the_tick_and_the_item_is_verified_by_command() {
    let mut h = h();
    run_it(&mut h, "Wait for the rollout");
    h.command_output("pgid 4242\n");
    h.command_exit(0, 5);
    assert_eq!(h.app.key_mode(), KeyMode::CommandDone);
    h.keys(&["n"]);
    h.type_text("rollout took 5 s");
    h.keys(&["Ctrl-s"]);
    assert_eq!(h.state("Wait for the rollout"), ItemState::Done);
    let rec = record(&h, "Wait for the rollout");
    assert!(rec.verified_by_command());
    assert_eq!(
        rec.live_notes().next().map(|n| n.text.as_str()),
        Some("rollout took 5 s")
    );
    h.keys(&["g"]);
    goto(&mut h, "Wait for the rollout");
    let shown = screen(&h);
    assert!(shown.contains("verified by"), "the detail says so: {shown}");
    assert!(shown.contains("⚙✓"), "the list marks it: {shown}");
    // Ticked by hand: no mark.
    goto(&mut h, "Tick by hand");
    h.keys(&["Space"]);
    assert!(!record(&h, "Tick by hand").verified_by_command());
}

#[test]
fn auto_tick_ticks_on_exit_0_without_asking_and_shows_what_was_expected() {
    let mut h = h();
    run_it(&mut h, "Health check passes");
    h.command_output("health ok for 2.4.1\n");
    h.command_exit(0, 1);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    assert_eq!(h.state("Health check passes"), ItemState::Done);
    let shown = screen(&h);
    assert!(shown.contains("expected: health ok"), "{shown}");
}

#[test]
fn a_destructive_block_refuses_a_wrong_code_and_runs_with_the_right_one() {
    let mut h = h();
    goto(&mut h, "Drop the old tables");
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::RunCode);
    let code = match &h.app.mode {
        Mode::RunConfirm { preview, .. } => preview.needs_code.clone().expect("a code"),
        m => panic!("{m:?}"),
    };
    assert!(screen(&h).contains(&code), "the code is shown to type back");
    h.type_text("deadbeef");
    h.keys(&["Enter"]);
    assert_eq!(starts(&h), 0, "a wrong code runs nothing");
    let Mode::RunConfirm { error, .. } = &h.app.mode else {
        panic!("the dialog stays: {:?}", h.app.mode);
    };
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("nothing was run")),
        "{error:?}"
    );
    h.keys(&["Enter"]);
    assert_eq!(starts(&h), 0, "no code runs nothing");
    h.type_text(&code);
    h.keys(&["Enter"]);
    assert_eq!(starts(&h), 1);
    let rec = record(&h, "Drop the old tables");
    assert!(rec.commands[0].confirmed.contains("typed-code"));
}

#[test]
fn ctrl_c_interrupts_the_command_not_runsheet() {
    let mut h = h();
    run_it(&mut h, "Wait for the rollout");
    h.keys(&["j"]);
    assert!(h.app.cursor > 0, "the checklist stays usable while it runs");
    h.keys(&["Ctrl-c"]);
    assert!(!h.quit, "runsheet keeps running");
    assert!(matches!(h.commands.last(), Some(CommandRequest::Interrupt)));
    assert!(h.message().contains("interrupting"), "{}", h.message());
    h.command_end(CommandEnd::Interrupted, None, 1);
    let rec = record(&h, "Wait for the rollout");
    let f = rec.commands[0].finished.as_ref().expect("recorded");
    assert_eq!(f.end, CommandEnd::Interrupted);
    assert_eq!(h.app.key_mode(), KeyMode::CommandDone);
    h.keys(&["Esc"]);
    assert_eq!(h.state("Wait for the rollout"), ItemState::Open);
    // Nothing runs now: Ctrl-C quits, as it always did.
    h.keys(&["Ctrl-c"]);
    assert!(h.quit);
}

#[test]
fn quitting_while_a_command_runs_asks_first() {
    let mut h = h();
    run_it(&mut h, "Wait for the rollout");
    h.keys(&["q"]);
    assert!(!h.quit);
    assert!(h.message().contains("still running"), "{}", h.message());
    h.keys(&["q"]);
    assert!(
        h.quit,
        "the second quit leaves (the session interrupts and records it)"
    );
}

#[test]
fn one_command_at_a_time_per_screen() {
    let mut h = h();
    run_it(&mut h, "Wait for the rollout");
    goto(&mut h, "Smoke test fails");
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    assert!(h.message().contains("still running"), "{}", h.message());
}

#[test]
fn a_secret_is_asked_without_showing_it_and_never_reaches_the_record() {
    let mut h = h();
    goto(&mut h, "Print a token");
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::Secret, "{}", h.message());
    h.type_text("s3cr3t-value");
    let shown = screen(&h);
    assert!(!shown.contains("s3cr3t"), "typed secret on screen: {shown}");
    assert!(shown.contains("TOKEN"));
    h.keys(&["Enter"]);
    let Mode::RunConfirm { preview, .. } = &h.app.mode else {
        panic!("no confirmation after the secret: {:?}", h.app.mode);
    };
    assert!(!preview.preview.contains("s3cr3t"), "{}", preview.preview);
    assert!(
        preview.preview.contains("‹secret TOKEN›"),
        "{}",
        preview.preview
    );
    h.keys(&["y"]);
    let rec = record(&h, "Print a token");
    assert!(!rec.commands[0].command.contains("s3cr3t"));
    let journal: String = h
        .app
        .run
        .items
        .values()
        .flat_map(|r| r.commands.iter().map(|c| c.command.clone()))
        .collect();
    assert!(!journal.contains("s3cr3t"));
}

#[test]
fn another_operators_command_shows_as_running_and_then_as_stopped_with_its_runsheet() {
    let mut h = h();
    let id = h.app.template.items[h.item("Wait for the rollout")]
        .id
        .clone();
    let bob = Actor {
        user: "bob".into(),
        host: "laptop".into(),
        name: "Bob".into(),
    };
    h.now += chrono::Duration::seconds(3);
    let change = Change::CommandStarted {
        item: Some(id.clone()),
        section: None,
        command: "sleep 100".into(),
        command_sha256: "0".repeat(64),
        shell: "/bin/sh -e -c".into(),
        cwd: "/srv".into(),
        output: "outputs/bob.log".into(),
        timeout_secs: 600,
        confirmed: "--yes".into(),
        line: 30,
    };
    let run = &h.app.run;
    let (ev, _) = Event::seal(run.seq + 1, h.now, bob, change, &run.head).expect("seal");
    let seq = ev.seq;
    h.act(Action::Remote(vec![ev]));
    h.now += chrono::Duration::seconds(42);
    h.act(Action::Clock);
    let shown = screen(&h);
    assert!(
        shown.contains("running: Wait for the rollout (Bob, 0:42)"),
        "{shown}"
    );
    assert!(h.app.item_running(&id));
    h.act(Action::CommandLiveness(vec![CommandLive {
        seq,
        running: false,
        saved_bytes: 17,
    }]));
    assert!(
        h.message().contains("was running when runsheet stopped")
            && h.message().contains("17 bytes"),
        "{}",
        h.message()
    );
    let shown = screen(&h);
    assert!(shown.contains("stopped with its runsheet"), "{shown}");
    assert!(!h.app.item_running(&id));
}

#[test]
fn a_sections_command_runs_from_its_heading_and_offers_no_tick() {
    let mut h = Harness::new(SECTION, &[], 120, 40);
    let row = h
        .app
        .visible
        .iter()
        .position(|r| {
            matches!(r, runsheet::app::rows::Row::Section(s)
                if h.app.template.sections[*s].title == "Verify")
        })
        .expect("the Verify section");
    h.app.cursor = row;
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::RunConfirm, "{}", h.message());
    h.keys(&["Enter"]);
    h.command_output("all green\n");
    h.command_exit(0, 1);
    assert_eq!(
        h.app.key_mode(),
        KeyMode::Normal,
        "sections have nothing to tick"
    );
    assert_eq!(h.app.run.section_commands.len(), 1);
    let shown = screen(&h);
    assert!(shown.contains("Commands run"), "{shown}");
}

#[test]
fn an_item_without_a_command_says_so() {
    let mut h = h();
    goto(&mut h, "Tick by hand");
    h.keys(&["r"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    assert!(h.message().contains("has no command"), "{}", h.message());
}

#[test]
fn the_whole_output_scrolls_and_follows_the_end() {
    let mut h = h();
    run_it(&mut h, "Wait for the rollout");
    let text: String = (1..=500).map(|i| format!("line {i}\n")).collect();
    h.command_output(&text);
    h.keys(&["o"]);
    assert_eq!(h.app.mode, Mode::Output { scroll: None });
    assert!(screen(&h).contains("line 500"));
    h.keys(&["g"]);
    let shown = screen(&h);
    assert!(shown.contains("line 1\u{20}"), "{shown}");
    assert!(!shown.contains("line 500"));
    h.keys(&["G", "Esc"]);
    assert_eq!(h.app.key_mode(), KeyMode::Normal);
    h.keys(&["O"]);
    assert!(!h.app.pane_docked());
    assert!(!screen(&h).contains("line 500"), "the pane is hidden");
}
