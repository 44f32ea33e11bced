//! Tests of `session`.

use super::*;
use crate::app::key::KeyPress;

#[derive(Default)]
struct Fake {
    copied: Vec<String>,
    appended: Vec<Intent>,
    suspended: Vec<Vec<Draft>>,
    edits: Vec<String>,
    commands: Vec<CommandRequest>,
}

impl Effects for Fake {
    fn copy(&mut self, text: String) {
        self.copied.push(text);
    }
    fn append(&mut self, intent: Intent) {
        self.appended.push(intent);
    }
    fn suspend(&mut self, drafts: &[Draft]) {
        self.suspended.push(drafts.to_vec());
    }
    fn edit(&mut self, text: &str) -> Result<String, String> {
        self.edits.push(text.to_owned());
        Ok(format!("{text} and more"))
    }
    fn command(&mut self, req: CommandRequest, _app: &App) -> Vec<Action> {
        self.commands.push(req);
        Vec::new()
    }
}

const WINDOW: &str = include_str!("../../../tests/fixtures/tui/window.md");

fn key(h: &crate::harness::Harness, k: &str) -> Action {
    let kp = KeyPress::parse(k).unwrap_or(KeyPress::ch('?'));
    crate::input::action_for(&h.keymap, h.app.key_mode(), kp).unwrap_or(Action::Clock)
}

/// Every outcome is carried out, including those of actions queued by earlier outcomes
/// (`$EDITOR`'s text comes back as an action; the note it completes is then appended), and
/// start-up notices all reach the log.
#[test]
fn every_outcome_of_every_queued_action_is_carried_out() {
    let mut h = crate::harness::Harness::new(WINDOW, &[("VERSION", "1")], 120, 40);
    let mut fx = Fake::default();
    let now = h.now;
    let notices: Vec<Action> = ["keymap not used", "warning: line 3", "template changed"]
        .iter()
        .map(|t| Action::Notice {
            text: (*t).to_owned(),
            error: true,
        })
        .collect();
    let d = dispatch(&mut h.app, &mut fx, notices, || now);
    assert!(d.redraw && !d.quit);
    assert_eq!(h.app.messages.log().len(), 3);
    let n = key(&h, "n");
    dispatch(&mut h.app, &mut fx, vec![n], || now);
    for c in "typed".chars() {
        let a = key(&h, &c.to_string());
        dispatch(&mut h.app, &mut fx, vec![a], || now);
    }
    let ed = key(&h, "Ctrl-e");
    dispatch(&mut h.app, &mut fx, vec![ed], || now);
    assert_eq!(fx.edits, ["typed"]);
    assert_eq!(
        h.app.draft().map(|d| d.text).as_deref(),
        Some("typed and more")
    );
    let suspend = key(&h, "Ctrl-z");
    dispatch(&mut h.app, &mut fx, vec![suspend], || now);
    assert_eq!(fx.suspended.len(), 1);
    assert_eq!(
        fx.suspended[0][0].text, "typed and more",
        "drafts kept before stopping"
    );
    let save = key(&h, "Ctrl-s");
    dispatch(&mut h.app, &mut fx, vec![save], || now);
    let tick = key(&h, "Space");
    let d = dispatch(
        &mut h.app,
        &mut fx,
        vec![tick, Action::Quit, Action::Clock],
        || now,
    );
    assert!(d.quit);
    assert_eq!(fx.appended.len(), 2, "{:?}", fx.appended);
    assert!(matches!(&fx.appended[0], Intent::Note { text, .. } if text == "typed and more"));
    assert!(matches!(&fx.appended[1], Intent::Tick { .. }));
}

#[test]
fn quitting_says_where_the_run_is_and_whether_it_is_saved() {
    let ok = Finished {
        unsaved: 0,
        error: None,
        not_shared: 0,
    };
    assert_eq!(
        farewell("2026-11-23-x-7f3a", Some(&ok), false),
        "saved · resume with: runsheet resume 2026-11-23-x-7f3a"
    );
    let bad = Finished {
        unsaved: 2,
        error: Some("run is locked".into()),
        not_shared: 0,
    };
    let s = farewell("r", Some(&bad), true);
    assert!(s.starts_with("NOT SAVED: 2 change(s)"), "{s}");
    assert!(s.contains("draft"), "{s}");
    // Kept in the shared store's outbox: safe here, not shared yet, and said so.
    let waiting = Finished {
        unsaved: 0,
        error: None,
        not_shared: 3,
    };
    let s = farewell("r", Some(&waiting), false);
    assert!(s.starts_with("3 change(s) not shared yet"), "{s}");
    assert!(!s.contains("NOT SAVED") && !s.starts_with("saved"), "{s}");
    assert!(farewell("r", None, false).starts_with("NOT SAVED"));
}
