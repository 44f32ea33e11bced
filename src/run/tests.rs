//! Unit tests of the fold, undo and intent checks, on a template built by the loader.

use super::event::{Actor, Decision, Event, GENESIS};
use super::intent::{Intent, IntentError, ItemQueryError, check, find_item};
use super::state::ItemState;
use super::view::RunView;
use super::*;
use crate::model::Template;

const TPL: &str = "# T\n\n## A\n\n- [ ] Stop web\n- [ ] Stop web workers\n- [x] Prepared\n\n## B\n\n- [ ] Go/No-Go\n- [ ] **Tech Lead:** ____\n";

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
        Fixture::with(TPL)
    }

    fn with(tpl: &str) -> Fixture {
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
            exec: None,
        };
        let (ev, _) = Event::seal(1, at, who("A"), start, GENESIS).unwrap();
        Fixture {
            t: crate::template::parse_str("t.md", tpl).unwrap(),
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

const GATED: &str = "# G\n\n## Prepare\n\n- [ ] Snapshot\n- [ ] Drain\n\n## Phase 4 Go/No-Go\n\n## Cut over\n\n- [ ] Switch traffic\n- [ ] **Release Manager:** ____\n- [ ] Go/No-Go: keep the new version\n\n## Rollback plan\n\n- [ ] Switch traffic back\n";

fn go(item: crate::model::ItemId) -> Intent {
    Intent::Gate {
        item,
        decision: Decision::Go,
        reason: None,
    }
}

fn no_go(item: crate::model::ItemId) -> Intent {
    Intent::Gate {
        item,
        decision: Decision::NoGo,
        reason: Some("lag".into()),
    }
}

fn tick(item: crate::model::ItemId) -> Intent {
    Intent::Tick { item, note: None }
}

#[test]
fn after_a_no_go_proceeding_needs_confirmation_and_is_flagged() {
    let mut f = Fixture::with(GATED);
    // Items: 0 Snapshot, 1 Drain, 2 Phase 4 gate, 3 Switch, 4 sign-off, 5 gate, 6 Switch back.
    assert_eq!(super::gates::rollback_section(&f.t), Some(4));
    f.act("A", no_go(f.id(2))).unwrap();
    assert!(matches!(
        f.act("A", tick(f.id(3))),
        Err(IntentError::AfterNoGo { .. })
    ));
    assert!(matches!(
        f.act(
            "A",
            Intent::Sign {
                item: f.id(4),
                signer: None
            }
        ),
        Err(IntentError::AfterNoGo { .. })
    ));
    assert!(matches!(
        f.act("A", go(f.id(2))),
        Err(IntentError::AfterNoGo { .. })
    ));
    // Stopping is always allowed; the rollback section needs no confirmation (and is flagged).
    f.act("A", no_go(f.id(5))).unwrap();
    f.act("A", tick(f.id(6))).unwrap();
    let back = f.run.items[&f.id(6)].current().unwrap();
    assert!(back.after_no_go.is_some());
    f.act("A", Intent::AfterNoGo(Box::new(tick(f.id(3)))))
        .unwrap();
    let e = f.run.items[&f.id(3)].current().unwrap();
    assert_eq!(e.after_no_go, f.run.open_no_go.values().copied().max());
    // A GO on each NO-GO gate resolves it; then nothing asks.
    f.act("A", Intent::AfterNoGo(Box::new(go(f.id(2)))))
        .unwrap();
    f.act("A", Intent::AfterNoGo(Box::new(go(f.id(5)))))
        .unwrap();
    assert!(f.run.open_no_go.is_empty());
    f.act("A", tick(f.id(0))).unwrap();
    assert_eq!(f.run.items[&f.id(0)].current().unwrap().after_no_go, None);
}

#[test]
fn hold_resume_and_undo_keep_the_no_go_bookkeeping_true() {
    let mut f = Fixture::with(GATED);
    f.act("A", no_go(f.id(2))).unwrap();
    let no_go_seq = f.run.seq;
    f.act(
        "A",
        Intent::Hold {
            reason: "DBA".into(),
            gate: Some(f.id(2)),
        },
    )
    .unwrap();
    let b = super::gates::blocker(&f.run).unwrap();
    assert!(matches!(b, super::gates::Blocker::Hold { .. }));
    assert!(super::gates::describe(&f.run, &f.t, &b).starts_with("HOLD since"));
    assert!(matches!(
        f.act(
            "A",
            Intent::Hold {
                reason: "again".into(),
                gate: None
            }
        ),
        Err(IntentError::OnHold(_))
    ));
    f.act(
        "A",
        Intent::Resume {
            reason: "fixed".into(),
        },
    )
    .unwrap();
    assert!(f.run.active_hold().is_none() && f.run.open_no_go.is_empty());
    assert_eq!(
        f.act(
            "A",
            Intent::Resume {
                reason: "again".into()
            }
        ),
        Err(IntentError::NotHeld)
    );
    // The snapshot (TOML) keeps holds, windows and the NO-GO bookkeeping.
    f.act(
        "A",
        Intent::Window {
            start: chrono::DateTime::parse_from_rfc3339("2026-12-02T22:00:00+01:00").unwrap(),
            zone: crate::when::Zone::parse("Europe/Berlin").unwrap(),
            end: None,
            reason: "CAB".into(),
        },
    )
    .unwrap();
    let text = toml::to_string(&f.run).unwrap();
    let back: Run = toml::from_str(&text).unwrap();
    assert_eq!(toml::to_string(&back).unwrap(), text);
    assert_eq!((back.windows.len(), back.holds.len()), (1, 2));
    f.act("A", Intent::Undo).unwrap();
    // Undoing the resume brings the hold and the NO-GO back.
    f.act("A", Intent::Undo).unwrap();
    assert!(f.run.active_hold().is_some());
    assert_eq!(f.run.open_no_go.get(&f.id(2)), Some(&no_go_seq));
    f.act("A", Intent::Undo).unwrap();
    assert!(f.run.active_hold().is_none());
    assert!(matches!(
        super::gates::blocker(&f.run),
        Some(super::gates::Blocker::NoGo { .. })
    ));
    // Undoing the NO-GO itself leaves nothing to hold the run back.
    f.act("A", Intent::Undo).unwrap();
    assert!(super::gates::blocker(&f.run).is_none());
}

#[test]
fn a_gates_scope_is_what_is_open_or_failed_in_its_section_and_since_the_previous_gate() {
    let mut f = Fixture::with(GATED);
    f.act("A", tick(f.id(0))).unwrap();
    // Phase 4 (item 2): Drain is open since the start; Snapshot is done.
    assert_eq!(super::gates::gate_scope(&f.run, &f.t, 2), vec![1]);
    f.act(
        "A",
        Intent::Fail {
            item: f.id(3),
            note: "502s".into(),
        },
    )
    .unwrap();
    // The second gate (item 5): its section's failed switch and open sign-off.
    assert_eq!(super::gates::gate_scope(&f.run, &f.t, 5), vec![3, 4]);
}

#[test]
fn undo_names_what_it_reverts_and_asks_for_decisions() {
    let mut f = Fixture::with(GATED);
    let a = who("A");
    assert!(super::undo::preview(&f.run, &f.t, &a).is_none());
    f.act("A", tick(f.id(0))).unwrap();
    let p = super::undo::preview(&f.run, &f.t, &a).unwrap();
    assert_eq!(p.what, "tick of “Snapshot”");
    assert!(!p.confirm);
    f.act("A", go(f.id(2))).unwrap();
    let p = super::undo::preview(&f.run, &f.t, &a).unwrap();
    let time = p.at.format("%H:%M").to_string();
    assert_eq!(
        p.question(&a),
        format!("undo GO on “Phase 4 Go/No-Go” (you, {time})?")
    );
    assert_eq!(
        p.question(&who("B")),
        format!("undo GO on “Phase 4 Go/No-Go” (A, {time})?")
    );
    assert!(p.confirm);
    assert_eq!(p.done(), "undid GO on “Phase 4 Go/No-Go”");
    f.act("A", Intent::Undo).unwrap();
    let e = &f.run.items[&f.id(2)].history[0];
    let u = e.undone_by.as_ref().unwrap();
    assert_eq!((u.by.name.as_str(), u.seq), ("A", f.run.seq));
    f.act(
        "B",
        Intent::Sign {
            item: f.id(4),
            signer: Some("Dana".into()),
        },
    )
    .unwrap();
    let p = super::undo::preview(&f.run, &f.t, &who("B")).unwrap();
    assert_eq!(p.what, "sign-off “Release Manager” (signed as Dana)");
    assert!(p.confirm);
}

#[test]
fn finishing_with_failures_needs_them_accepted_with_a_reason() {
    let mut f = Fixture::with("# D\n\n## A\n\n- [ ] one\n- [ ] two\n- [ ] three\n");
    f.act("A", tick(f.id(0))).unwrap();
    f.act(
        "A",
        Intent::Skip {
            item: f.id(1),
            reason: "n/a today".into(),
        },
    )
    .unwrap();
    f.act(
        "A",
        Intent::Fail {
            item: f.id(2),
            note: "broke".into(),
        },
    )
    .unwrap();
    assert_eq!(
        f.act("A", Intent::Finish),
        Err(IntentError::Exceptions {
            summary: "1 failed, 1 skipped".into()
        })
    );
    assert_eq!(
        f.act("A", Intent::FinishAccepting { reason: " ".into() }),
        Err(IntentError::Empty("--reason"))
    );
    f.act(
        "A",
        Intent::FinishAccepting {
            reason: "known".into(),
        },
    )
    .unwrap();
    let view = RunView::new(&f.run, &f.t);
    assert_eq!(
        view.outcome(),
        "completed with exceptions: 1 failed, 1 skipped"
    );
    assert!(matches!(
        &f.run.lifecycle,
        state::Lifecycle::Completed { exceptions: Some(e), reason: Some(r), .. }
            if e == "1 failed, 1 skipped" && r == "known"
    ));
}

#[test]
fn apply_owned_folds_exactly_as_apply() {
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T21:00:00+01:00").unwrap();
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
        exec: None,
    };
    let item = |s: &str| crate::model::ItemId(s.into());
    // One actor whose strings need cleaning (an escape, a bidi override), one that does not.
    let sly = Actor {
        user: "ops\u{1b}[2J".into(),
        host: "h\u{202e}x".into(),
        name: "Mallory\n".into(),
    };
    let changes: Vec<(Actor, Change)> = vec![
        (
            who("A"),
            Change::Tick {
                item: item("a-1"),
                note: Some("with a note".into()),
                after_no_go: false,
            },
        ),
        (
            sly.clone(),
            Change::Gate {
                item: item("g-1"),
                decision: Decision::NoGo,
                reason: Some("red".into()),
                after_no_go: false,
            },
        ),
        (
            sly.clone(),
            Change::Untick {
                item: item("a-1"),
                note: None,
            },
        ),
        (
            who("A"),
            Change::Note {
                item: item("a-2"),
                text: "x".into(),
            },
        ),
        (
            sly,
            Change::Sign {
                item: item("s-1"),
                signer: "Bob".into(),
                role: None,
                after_no_go: true,
            },
        ),
        (who("A"), Change::Undo { target: 5 }),
    ];
    let (first, _) = Event::seal(1, at, who("A"), start, GENESIS).unwrap();
    let mut by_ref = Run::from_start(&first).unwrap();
    let mut owned = by_ref.clone();
    let mut prev = first.hash.clone();
    for (k, (by, change)) in changes.into_iter().enumerate() {
        let (ev, _) = Event::seal(k as u64 + 2, at, by, change, &prev).unwrap();
        prev = ev.hash.clone();
        by_ref.apply(&ev);
        owned.apply_owned(ev);
        assert_eq!(owned, by_ref, "after seq {}", k + 2);
    }
    let signed = &by_ref.items[&item("s-1")].history[0].by;
    assert!(signed.user.contains('\u{241b}'), "not cleaned: {signed:?}");
    assert!(!signed.name.contains('\n'), "not cleaned: {signed:?}");
}
