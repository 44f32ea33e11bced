//! Who else has a run open right now, as plain data: the header shows it, whichever store the run
//! lives in (presence files in a local run dir, the presence table of a shared store).

use chrono::{DateTime, Local, Utc};

/// Someone with the run open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Display name.
    pub name: String,
    /// OS user.
    pub user: String,
    /// Host.
    pub host: String,
    /// Open since.
    pub since: DateTime<Utc>,
}

impl Viewer {
    /// `Dana Ops (dana@laptop) since 21:04`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}@{}) since {}",
            self.name,
            self.user,
            self.host,
            self.since.with_timezone(&Local).format("%H:%M")
        )
    }
}
