//! The event kinds, listed once: each kind's name in the journal (`type`), the words a person reads
//! for it ("ticked", "put the run on HOLD"), and — generated from the same list — the [`Kind`] enum
//! the decoder reads the `type` into and [`Change::kind_of`]. A `Change` variant missing here is a
//! compile error (the match in `kind_of` is exhaustive); a name that differs from serde's spelling of
//! the variant fails `names_are_the_variants_in_snake_case`.

use super::Change;

macro_rules! kinds {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $verb:literal; )*) => {
        /// The type of a change, as the journal's `type` names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
        pub enum Kind {
            $( $(#[$doc])* #[serde(rename = $name)] $variant, )*
        }

        impl Kind {
            /// Every kind, in the order of the list.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// The name in the journal (`tick`, `torn_tail`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            /// What the operator did, in words (`ticked`, `lifted the HOLD`).
            pub fn verb(self) -> &'static str {
                match self {
                    $(Kind::$variant => $verb,)*
                }
            }

            /// The kind a journal name stands for.
            pub fn parse(name: &str) -> Option<Kind> {
                match name {
                    $($name => Some(Kind::$variant),)*
                    _ => None,
                }
            }
        }

        impl Change {
            /// The kind of this change.
            pub fn kind_of(&self) -> Kind {
                match self {
                    $(Change::$variant { .. } => Kind::$variant,)*
                }
            }
        }
    };
}

kinds! {
    /// The run was created from a template.
    Start = "start", "started the run";
    /// An item done.
    Tick = "tick", "ticked";
    /// An item open again.
    Untick = "untick", "reopened";
    /// An item skipped, with a reason.
    Skip = "skip", "skipped";
    /// An item not applicable, with a reason.
    Na = "na", "marked n/a";
    /// An item failed, with a note.
    Fail = "fail", "marked failed";
    /// A sign-off.
    Sign = "sign", "signed";
    /// A gate decision (GO / NO-GO).
    Gate = "gate", "decided a gate";
    /// A note on an item.
    Note = "note", "noted";
    /// A blank table cell filled in.
    Field = "field", "filled in a field";
    /// A variable set.
    Set = "set", "set a variable";
    /// An earlier change reverted.
    Undo = "undo", "undid a change";
    /// The run follows a changed template.
    Rebase = "rebase", "re-based the run";
    /// The run finished.
    Finish = "finish", "finished the run";
    /// The run aborted.
    Abort = "abort", "aborted the run";
    /// The window set or moved.
    Window = "window", "set the window";
    /// The run put on HOLD.
    Hold = "hold", "put the run on HOLD";
    /// The HOLD lifted.
    Resume = "resume", "lifted the HOLD";
    /// A torn last line moved aside.
    TornTail = "torn_tail", "moved a torn journal line aside";
    /// A damaged journal carried on.
    Repair = "repair", "repaired the journal";
    /// A command started.
    CommandStarted = "command_started", "ran a command";
    /// A command ended.
    CommandFinished = "command_finished", "finished a command";
}

#[cfg(test)]
mod tests {
    use super::Kind;

    fn snake(variant: &str) -> String {
        let mut out = String::new();
        for (i, c) in variant.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn names_are_the_variants_in_snake_case() {
        // `Change` is serialised with `rename_all = "snake_case"`: the list must say the same.
        for k in Kind::ALL {
            assert_eq!(k.name(), snake(&format!("{k:?}")), "{k:?}");
            assert_eq!(Kind::parse(k.name()), Some(*k));
            assert!(!k.verb().is_empty());
        }
        assert_eq!(Kind::ALL.len(), 22);
        assert_eq!(Kind::parse("no-such-kind"), None);
    }

    #[test]
    fn a_sealed_change_is_tagged_with_its_kinds_name() {
        use crate::model::ItemId;
        use crate::run::event::Change;
        let c = Change::TornTail {
            offset: 10,
            len: 3,
            kept_as: "journal.torn-10".into(),
            sha256: "00".into(),
        };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["type"], c.kind_of().name());
        let t = Change::Note {
            item: ItemId("a-1".into()),
            text: "x".into(),
        };
        assert_eq!(serde_json::to_value(&t).unwrap()["type"], "note");
        assert_eq!(t.kind(), "note");
    }
}
