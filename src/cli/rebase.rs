//! `runsheet rebase RUN`: follow a template that changed since the run started. Items are matched by
//! stable id; progress on items that disappeared is kept and listed as orphaned.

use super::change::Who;
use super::common::{CmdResult, ack_any, exit, line, out, short, snapshot_after_any};
use crate::model::{ItemId, Template};
use crate::run::Run;
use crate::run::event::{Change, OrphanInfo, sha256_hex};
use crate::store::{StoreError, identity};
use crate::template;
use clap::Args;
use std::collections::HashSet;

/// `rebase`.
#[derive(Debug, Clone, Args)]
pub struct RebaseArgs {
    /// Run: an id, a unique prefix of one, or `latest`.
    pub run: String,
    /// Show what would change without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Who.
    #[command(flatten)]
    pub who: Who,
}

/// Items with progress in `run` that `new` lacks (and that are not orphans already).
pub fn orphans(run: &Run, old: &Template, new: &Template) -> Vec<OrphanInfo> {
    let keep: HashSet<&ItemId> = new.items.iter().map(|i| &i.id).collect();
    run.items
        .iter()
        .filter(|(id, rec)| {
            !keep.contains(id) && (!rec.history.is_empty() || !rec.notes.is_empty())
        })
        .filter(|(id, _)| !run.orphans.contains_key(*id))
        .map(|(id, _)| {
            let item = old.item(id);
            OrphanInfo {
                id: id.clone(),
                text: item.map_or_else(|| "(unknown item)".to_owned(), |i| i.text.to_string()),
                section: item
                    .and_then(|i| old.sections.get(i.section))
                    .map_or_else(String::new, |s| s.title.clone()),
            }
        })
        .collect()
}

/// Runs `rebase`.
pub fn run(a: RebaseArgs) -> color_eyre::Result<i32> {
    exit((|| -> CmdResult {
        let mut open = a.who.store.open_any(&a.run)?;
        let path = std::path::PathBuf::from(&open.run().template_path);
        let bytes = crate::store::read_origin(&open.run().template_path)?;
        let mut out = out();
        let new_sha = sha256_hex(&bytes);
        if new_sha == open.run().base_sha256 {
            line(
                &mut out,
                &format!(
                    "{}: unchanged since the run started; nothing to re-base",
                    path.display()
                ),
            )?;
            return Ok(());
        }
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let load = crate::store::open::load_options(open.run());
        let new = template::parse_bytes_with(&name, &bytes, load)?;
        let old_ids: HashSet<&ItemId> = open.template().items.iter().map(|i| &i.id).collect();
        let added = new
            .items
            .iter()
            .filter(|i| !old_ids.contains(&i.id))
            .count();
        let lost = orphans(open.run(), open.template(), &new);
        line(
            &mut out,
            &format!(
                "template {} → {}: {} item(s) added, {} removed, {} with progress become orphaned (kept)",
                short(&open.run().base_sha256),
                short(&new_sha),
                added,
                open.template()
                    .items
                    .iter()
                    .filter(|i| new.item(&i.id).is_none())
                    .count(),
                lost.len()
            ),
        )?;
        for o in &lost {
            line(
                &mut out,
                &format!("  orphaned: {} [{}] ({})", o.text, o.section, o.id),
            )?;
        }
        if a.dry_run {
            return Ok(());
        }
        let sha = open.store_template_copy(&bytes)?;
        let actor = identity::current(a.who.as_name.as_deref());
        let ev = open.commit(&actor, super::common::now()?, |run, old| {
            if !run.is_active() {
                return Err(StoreError::Invalid(format!(
                    "run {} is {}: it takes no more changes",
                    run.id,
                    run.lifecycle.as_str()
                )));
            }
            Ok(Change::Rebase {
                from_sha256: run.base_sha256.clone(),
                to_sha256: sha.clone(),
                orphans: orphans(run, old, &new),
            })
        })?;
        let shown = line(&mut out, &ack_any(&open, &ev));
        snapshot_after_any(&mut open);
        Ok(shown?)
    })())
}
