//! `runsheet watch RUN [--json]`: follow a run like `tail -f`, one line per event as it lands —
//! on the shared store (LISTEN, plus a catch-up every second) or in a local run dir (polled).

#[cfg(not(feature = "postgres"))]
use super::EXIT_OK;
use super::EXIT_UNAVAILABLE;
use super::common::StoreArgs;
use super::shared::StoreSpec;
use crate::model::Template;
use crate::run::Run;
use crate::run::event::{Event, line_db_role, show_time};
use crate::run::view::item_state;
use crate::store::{OpenRun, Store};
use clap::Args;
use std::io::Write;
use std::time::Duration;

/// `watch`.
#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// One JSON object per line (for chat or status-page tooling).
    #[arg(long)]
    pub json: bool,
    /// How many past events to print first (like `tail -n`; 0: only new ones).
    #[arg(short = 'n', long = "lines", value_name = "N", default_value_t = 10)]
    pub lines: usize,
    /// Print the events after this seq first instead (resume where a consumer stopped).
    #[arg(long, value_name = "SEQ", conflicts_with = "lines")]
    pub since: Option<u64>,
    /// Data dir (a local run), or the shared store (`--store`).
    #[command(flatten)]
    pub store: StoreArgs,
}

/// How one event is printed.
pub struct Printer {
    json: bool,
    fold: Option<Run>,
}

impl Printer {
    /// A printer that has seen nothing yet.
    pub fn new(json: bool) -> Printer {
        Printer { json, fold: None }
    }

    /// Folds `ev` in (every event must pass through, printed or not) and, with `print`, writes it.
    pub fn feed(
        &mut self,
        out: &mut impl Write,
        template: &Template,
        ev: &Event,
        line: Option<&str>,
        print: bool,
    ) -> std::io::Result<()> {
        match &mut self.fold {
            Some(r) => r.apply(ev),
            None => self.fold = Run::from_start(ev).ok(),
        }
        if !print {
            return Ok(());
        }
        let Some(run) = &self.fold else {
            return Ok(());
        };
        let db_role = line.and_then(line_db_role);
        let index = ev
            .change
            .item()
            .and_then(|id| template.items.iter().position(|i| &i.id == id));
        let vars = run.var_values();
        let text = index
            .map(|i| crate::run::vars::substitute(&template.items[i].text, &vars).into_owned());
        let state = index.map(|i| item_state(run, template, i).0.as_str());
        if self.json {
            let v = serde_json::json!({
                "run_id": run.id,
                "seq": ev.seq,
                "at": crate::report::time(&ev.at),
                "type": ev.change.kind(),
                "item": ev.change.item().map(ToString::to_string),
                "item_text": text,
                "state": state,
                "by": crate::report::ActorJson::from(&ev.by),
                "db_role": db_role,
                "change": &ev.change,
                "prev": ev.prev,
                "hash": ev.hash,
            });
            writeln!(out, "{v}")?;
        } else {
            let what = match (ev.change.item(), text, state) {
                (Some(_), Some(t), Some(s)) => format!("{} “{t}” → {s}", ev.change.kind()),
                (Some(id), _, _) => format!("{} {id}", ev.change.kind()),
                _ => ev.change.kind().to_owned(),
            };
            let role = db_role
                .map(|r| format!(" [db role {r}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "seq {}: {what} — {}{role} at {}",
                ev.seq,
                ev.by.describe(),
                show_time(&ev.at)
            )?;
        }
        out.flush()
    }
}

/// The first seq to print from a backlog ending at `head`.
fn first_printed(a: &WatchArgs, head: u64) -> u64 {
    match a.since {
        Some(s) => s + 1,
        None => head.saturating_sub(a.lines as u64) + 1,
    }
}

/// Runs `watch`.
pub fn run(a: WatchArgs) -> color_eyre::Result<i32> {
    let spec = match a.store.shared.spec() {
        Ok(s) => s,
        Err(e) => return Ok(super::shared::fail(&e)),
    };
    match spec {
        Some(StoreSpec::Postgres(_)) => shared(&a),
        _ => match a.store.store() {
            Ok(s) => local(&a, s),
            Err(e) => Ok(super::common::fail(&e)),
        },
    }
}

fn local(a: &WatchArgs, store: Store) -> color_eyre::Result<i32> {
    let mut open = match store.resolve(&a.run).and_then(|d| OpenRun::open(&d)) {
        Ok(o) => o,
        Err(e) => return Ok(super::common::fail(&e)),
    };
    super::common::warn(&open);
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut p = Printer::new(a.json);
    let from = first_printed(a, open.run.seq);
    let events = match open.events() {
        Ok(e) => e,
        Err(e) => return Ok(super::common::fail(&e)),
    };
    let text = std::fs::read_to_string(open.journal_path()).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    for (i, ev) in events.iter().enumerate() {
        p.feed(
            &mut out,
            &open.template,
            ev,
            lines.get(i).copied(),
            ev.seq >= from,
        )?;
    }
    loop {
        std::thread::sleep(Duration::from_millis(200));
        match open.read_new_events() {
            Ok(new) => {
                for ev in &new {
                    p.feed(&mut out, &open.template, ev, None, true)?;
                }
            }
            Err(e) => {
                eprintln!("runsheet: watch: {e}");
                return Ok(EXIT_UNAVAILABLE);
            }
        }
    }
}

#[cfg(not(feature = "postgres"))]
fn shared(a: &WatchArgs) -> color_eyre::Result<i32> {
    Ok(match a.store.shared.settings() {
        Ok(_) => EXIT_OK,
        Err(e) => super::shared::fail(&e),
    })
}

#[cfg(feature = "postgres")]
fn shared(a: &WatchArgs) -> color_eyre::Result<i32> {
    use crate::pg::engine::SharedStore;
    use crate::pg::follow::Follower;
    let opened = (|| -> Result<_, crate::pg::SharedError> {
        let settings = std::sync::Arc::new(a.store.shared.settings()?);
        let mut follower = Follower::new(settings.clone())?;
        follower.connect()?;
        let run = SharedStore::connect((*settings).clone())?.open(&a.run)?;
        Ok((follower, run))
    })();
    let (mut follower, mut run) = match opened {
        Ok(x) => x,
        Err(e) => return Ok(super::shared::fail(&e)),
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut p = Printer::new(a.json);
    let from = first_printed(a, run.run.seq);
    let backlog = match run.shared_events(0) {
        Ok(b) => b,
        Err(e) => return Ok(super::shared::fail(&e)),
    };
    let mut seen = 0;
    for s in &backlog {
        p.feed(
            &mut out,
            &run.template,
            &s.event,
            Some(&s.line),
            s.event.seq >= from,
        )?;
        seen = s.event.seq;
    }
    let mut down: Option<String> = None;
    loop {
        // Wait for a notification, at most a second (notifications sent while the listening
        // connection was down are lost: the catch-up below runs every second regardless).
        if let Err(e) = follower.wait(Duration::from_secs(1)) {
            if down.is_none() {
                eprintln!("runsheet: watch: lost the shared store ({e}); retrying every second");
                down = Some(e.to_string());
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        match run.shared_events(seen) {
            Ok(new) => {
                if down.take().is_some() {
                    eprintln!("runsheet: watch: connected again; caught up");
                }
                for s in &new {
                    if s.event.seq != seen + 1 {
                        break;
                    }
                    p.feed(&mut out, &run.template, &s.event, Some(&s.line), true)?;
                    seen = s.event.seq;
                }
                if !new.is_empty() {
                    // Keep the open run's fold (and template, after a re-base) current too.
                    if let Err(e) = run.read_new_events() {
                        eprintln!("runsheet: watch: {e}");
                    }
                }
            }
            Err(e) if e.is_offline() => {
                if down.is_none() {
                    eprintln!(
                        "runsheet: watch: lost the shared store ({e}); retrying every second"
                    );
                    down = Some(e.to_string());
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e) => return Ok(super::shared::fail(&e)),
        }
    }
}
