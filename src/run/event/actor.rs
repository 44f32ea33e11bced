//! Who made a change.

use serde::{Deserialize, Serialize};

/// Who made a change: the OS user (from the uid), the host and the display name they chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Actor {
    /// OS account name looked up from the effective uid (not `$USER`).
    pub user: String,
    /// Host name.
    pub host: String,
    /// Display name (`--as`, `RUNSHEET_OPERATOR`, config `operator`, or the OS user). A claim.
    pub name: String,
}

impl Actor {
    /// Whether two actors are the same operator for `undo`: same display name and same OS user.
    pub fn same_operator(&self, other: &Actor) -> bool {
        self.user == other.user && self.name == other.name
    }

    /// `Alice (alice@bastion)`, or `alice@bastion` when the name is the OS user.
    pub fn describe(&self) -> String {
        if self.name == self.user {
            format!("{}@{}", self.user, self.host)
        } else {
            format!("{} ({}@{})", self.name, self.user, self.host)
        }
    }
}
