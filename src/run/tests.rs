//! Unit tests of the fold, undo and intent checks, on a template built by the loader.

use super::event::{Actor, Decision, Event, GENESIS};
use super::intent::{Intent, IntentError, ItemQueryError, check, find_item};
use super::state::ItemState;
use super::view::RunView;
use super::*;
use crate::model::Template;

const TPL: &str = "# T\n\n## A\n\n- [ ] Stop web\n- [ ] Stop web workers\n- [x] Prepared\n\n## B\n\n- [ ] Go/No-Go\n- [ ] **Tech Lead:** ____\n";

fn template() -> Template {
    crate::template::parse_str("t.md", TPL).unwrap()
}

fn who(name: &str) -> Actor {
    Actor {
        user: "ops".into(),
        host: "h".into(),
        name: name.into(),
    }
}

struct Fixture {
    t: Template,
    run: Run,
    head: String,
}

impl Fixture {
    fn new() -> Fixture {
        let at = chrono::Local::now().fixed_offset();
        let start = Change::Start {
            schema_version: SCHEMA_VERSION,
            run_id: "r".into(),
            title: "T".into(),
            name: None,
            template_path: "/t.md".into(),
            template_sha256: "00".into(),
            vars: Default::default(),
            steps: false,
            rules: crate::template::LOADER_RULES,
        };
        let (ev, _) = Event::seal(1, at, who("A"), start, GENESIS).unwrap();
        Fixture {
            t: template(),
            run: Run::from_start(&ev).unwrap(),
            head: ev.hash,
        }
    }

    fn act(&mut self, actor: &str, intent: Intent) -> Result<(), IntentError> {
        let change = check(&self.run, &self.t, &who(actor), &intent)?;
        let at = chrono::Local::now().fixed_offset();
        let (ev, _) = Event::seal(self.run.seq + 1, at, who(actor), change, &self.head).unwrap();
        self.head = ev.hash.clone();
        self.run.apply(&ev);
        Ok(())
    }

    fn id(&self, i: usize) -> crate::model::ItemId {
        self.t.items[i].id.clone()
    }

    fn state(&self, i: usize) -> ItemState {
        RunView::new(&self.run, &self.t).rows[i].state
    }
}

#[test]
fn fold_states_and_precheck() {
    let mut f = Fixture::new();
    assert_eq!(f.state(2), ItemState::Done, "pre-checked in the template");
    f.act(
        "A",
        Intent::Tick {
            item: f.id(0),
            note: Some("ok".into()),
        },
    )
    .unwrap();
    f.act(
        "A",
        Intent::Gate {
            item: f.id(3),
            decision: Decision::Go,
            reason: None,
        },
    )
    .unwrap();
    f.act(
        "B",
        Intent::Sign {
            item: f.id(4),
            signer: None,
        },
    )
    .unwrap();
    assert_eq!(f.state(0), ItemState::Done);
    assert_eq!(f.state(3), ItemState::Go);
    assert_eq!(f.state(4), ItemState::Signed);
    let view = RunView::new(&f.run, &f.t);
    assert_eq!(view.progress.done, 4);
    assert_eq!(view.next_open().unwrap().id, &f.id(1));
    assert_eq!(
        f.run.items[&f.id(4)].current().unwrap().signer.as_deref(),
        Some("B")
    );
}

#[test]
fn undo_is_per_operator_and_reverts_to_the_previous_state() {
    let mut f = Fixture::new();
    f.act(
        "A",
        Intent::Tick {
            item: f.id(0),
            note: None,
        },
    )
    .unwrap();
    f.act(
        "A",
        Intent::Skip {
            item: f.id(0),
            reason: "x".into(),
        },
    )
    .unwrap();
    f.act(
        "B",
        Intent::Tick {
            item: f.id(1),
            note: None,
        },
    )
    .unwrap();
    f.act("A", Intent::Undo).unwrap();
    assert_eq!(f.state(0), ItemState::Done, "back to the tick");
    assert_eq!(f.state(1), ItemState::Done, "B's change stays");
    f.act("A", Intent::Undo).unwrap();
    assert_eq!(f.state(0), ItemState::Open);
    assert_eq!(
        f.act("A", Intent::Undo),
        Err(IntentError::NothingToUndo("A".into()))
    );
    assert_eq!(f.run.items[&f.id(0)].history.len(), 2, "history kept");
}

#[test]
fn intent_checks() {
    let mut f = Fixture::new();
    assert!(matches!(
        f.act(
            "A",
            Intent::Tick {
                item: f.id(3),
                note: None
            }
        ),
        Err(IntentError::WrongKind { .. })
    ));
    assert!(matches!(
        f.act(
            "A",
            Intent::Gate {
                item: f.id(3),
                decision: Decision::NoGo,
                reason: None
            }
        ),
        Err(IntentError::Empty(_))
    ));
    assert!(matches!(
        f.act("A", Intent::Finish),
        Err(IntentError::OpenItems { count: 4, .. })
    ));
    f.act(
        "A",
        Intent::Abort {
            reason: "rollback".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        f.act(
            "A",
            Intent::Tick {
                item: f.id(0),
                note: None
            }
        ),
        Err(IntentError::Closed { .. })
    ));
    f.act(
        "A",
        Intent::Note {
            item: f.id(0),
            text: "after the abort".into(),
        },
    )
    .unwrap();
}

#[test]
fn item_queries() {
    let f = Fixture::new();
    assert_eq!(
        find_item(&f.run, &f.t, "stop web").unwrap(),
        f.id(0),
        "exact text wins"
    );
    assert_eq!(find_item(&f.run, &f.t, "WORKERS").unwrap(), f.id(1));
    assert_eq!(find_item(&f.run, &f.t, f.id(4).as_str()).unwrap(), f.id(4));
    assert!(matches!(
        find_item(&f.run, &f.t, "stop"),
        Err(ItemQueryError::Ambiguous { .. })
    ));
    assert!(matches!(
        find_item(&f.run, &f.t, "zzz"),
        Err(ItemQueryError::NoMatch(_))
    ));
}
