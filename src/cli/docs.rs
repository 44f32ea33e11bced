//! `runsheet completions SHELL` and `runsheet man`: generated from the clap definitions.

use crate::cli::{Cli, EXIT_OK};
use clap::CommandFactory;
use clap_complete::Shell;

/// Prints a shell completion script.
pub fn completions(shell: Shell) -> color_eyre::Result<i32> {
    let mut cmd = Cli::command();
    // Generated into memory first: clap_complete panics on a write error (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "runsheet", &mut script);
    std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
    Ok(EXIT_OK)
}

/// Prints the man page (roff) for runsheet and its subcommands.
pub fn man() -> color_eyre::Result<i32> {
    let cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let title = format!("runsheet-{}", sub.get_name());
        clap_mangen::Man::new(sub.clone())
            .title(title)
            .render(&mut out)?;
    }
    Ok(EXIT_OK)
}
