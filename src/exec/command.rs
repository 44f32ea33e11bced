//! Which code blocks run, and what exactly: shell languages, `console` transcripts reduced to their
//! commands, `# Expected:` comments, destructive flags.

use crate::model::CodeBlock;

/// Who interprets a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpreter {
    /// The operator's shell (`$SHELL`, else `/bin/sh`): ```` ```shell ````, ```` ```console ````, or
    /// no language.
    Operator,
    /// The shell the block names (`bash`, `sh`, `zsh`).
    Named(&'static str),
}

/// How a block's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Every line is the script.
    Script,
    /// A terminal transcript: `$ ` lines are commands, other lines their output (dropped).
    Console,
}

/// Whether a block in language `lang` runs, and how. `None` for other languages (`yaml`, `sql`, …).
pub fn classify(lang: Option<&str>) -> Option<(Interpreter, Dialect)> {
    let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) else {
        return Some((Interpreter::Operator, Dialect::Script));
    };
    let lower = lang.to_ascii_lowercase();
    Some(match lower.as_str() {
        "bash" => (Interpreter::Named("bash"), Dialect::Script),
        "sh" => (Interpreter::Named("sh"), Dialect::Script),
        "zsh" => (Interpreter::Named("zsh"), Dialect::Script),
        "shell" => (Interpreter::Operator, Dialect::Script),
        "console" | "shell-session" | "shellsession" | "sh-session" => {
            (Interpreter::Operator, Dialect::Console)
        }
        _ => return None,
    })
}

/// Whether a block runs at all.
pub fn is_runnable(block: &CodeBlock) -> bool {
    classify(block.lang.as_deref()).is_some()
}

/// The command of a `$ ` prompt line, if it is one (`$` alone is an empty command).
fn prompt_command(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if t == "$" {
        return Some("");
    }
    t.strip_prefix("$ ")
}

fn is_comment_line(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// The commands of a console transcript: `$ ` prompts stripped, continuation lines (after a
/// trailing `\`, or `> ` secondary prompts) kept with their command, comment-only lines kept, and
/// output lines dropped. A transcript without any `$ ` prompt is taken as plain commands.
pub fn console_commands(text: &str) -> String {
    if !text.lines().any(|l| prompt_command(l).is_some()) {
        return text.to_owned();
    }
    let mut out: Vec<&str> = Vec::new();
    let mut in_command = false;
    let mut backslash = false;
    for line in text.lines() {
        if backslash {
            let l = line.strip_prefix("> ").unwrap_or(line);
            out.push(l);
            backslash = l.trim_end().ends_with('\\');
            continue;
        }
        if let Some(cmd) = prompt_command(line) {
            in_command = !cmd.trim().is_empty();
            if in_command {
                out.push(cmd);
                backslash = cmd.trim_end().ends_with('\\');
            }
            continue;
        }
        if in_command && let Some(rest) = line.strip_prefix("> ") {
            out.push(rest);
            backslash = rest.trim_end().ends_with('\\');
            continue;
        }
        in_command = false;
        if is_comment_line(line) {
            out.push(line.trim_start());
        }
    }
    out.join("\n")
}

/// The text of `# Expected: …` comments (a comment line, or a comment after a command), in order.
pub fn expected(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut search = 0;
        while let Some(pos) = line[search..].find('#').map(|p| p + search) {
            let starts_comment =
                line[..pos].trim().is_empty() || line[..pos].ends_with(char::is_whitespace);
            let rest = line[pos + 1..].trim_start_matches('#').trim_start();
            if starts_comment {
                let lower = rest.to_ascii_lowercase();
                for key in ["expected:", "expect:"] {
                    if lower.starts_with(key) {
                        let value = rest[key.len()..].trim();
                        if !value.is_empty() {
                            found.push(value.to_owned());
                        }
                        break;
                    }
                }
                break;
            }
            search = pos + 1;
        }
    }
    found
}

/// Words that mark a block destructive in its info string (or the `confirm` flag of a
/// `<!-- runsheet: confirm -->` line).
pub const DESTRUCTIVE_FLAGS: [&str; 4] = ["danger", "dangerous", "destructive", "confirm"];

/// Whether the block is marked destructive: the operator must type the item's code back.
pub fn is_destructive(block: &CodeBlock) -> bool {
    block
        .flags
        .iter()
        .any(|f| DESTRUCTIVE_FLAGS.iter().any(|d| f.eq_ignore_ascii_case(d)))
}

/// A `key=value` flag of the block (`timeout=90s`).
pub fn flag_value<'a>(block: &'a CodeBlock, key: &str) -> Option<&'a str> {
    block.flags.iter().find_map(|f| {
        let (k, v) = f.split_once('=')?;
        k.eq_ignore_ascii_case(key).then_some(v.trim())
    })
}

/// Whether the block has the bare flag `name` (`auto-tick`).
pub fn has_flag(block: &CodeBlock, name: &str) -> bool {
    block.flags.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// An item's or section's runnable blocks put together: the script (before substitution), the
/// interpreter, and what the loader found worth saying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// The text to run, one block after the other.
    pub text: String,
    /// Who runs it.
    pub interpreter: Interpreter,
    /// Line of the first runnable block.
    pub line: usize,
    /// Any block marked destructive.
    pub destructive: bool,
    /// Notes for the operator (several blocks, blocks that do not run).
    pub notes: Vec<String>,
}

/// Puts the runnable blocks of a body together; `None` when none runs.
pub fn script<'a>(blocks: impl IntoIterator<Item = &'a CodeBlock>) -> Option<Script> {
    let mut parts: Vec<String> = Vec::new();
    let mut interpreter: Option<Interpreter> = None;
    let mut line = 0;
    let mut destructive = false;
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    for b in blocks {
        let Some((interp, dialect)) = classify(b.lang.as_deref()) else {
            skipped.push(format!(
                "{} (line {})",
                b.lang.as_deref().unwrap_or("?"),
                b.line
            ));
            continue;
        };
        if parts.is_empty() {
            line = b.line;
        }
        match (interpreter, interp) {
            (None | Some(Interpreter::Operator), _) => interpreter = Some(interp),
            (Some(Interpreter::Named(a)), Interpreter::Named(b_name)) if a != b_name => {
                notes.push(format!(
                    "the block at line {} says {b_name}; all blocks run in {a}",
                    b.line
                ));
            }
            _ => {}
        }
        destructive |= is_destructive(b);
        parts.push(match dialect {
            Dialect::Script => b.text.trim_end_matches('\n').to_owned(),
            Dialect::Console => console_commands(&b.text),
        });
    }
    let interpreter = interpreter?;
    if parts.len() > 1 {
        notes.push(format!(
            "{} code blocks run one after the other, as one script",
            parts.len()
        ));
    }
    if !skipped.is_empty() {
        notes.push(format!(
            "not run (not a shell language): {}",
            skipped.join(", ")
        ));
    }
    Some(Script {
        text: parts.join("\n"),
        interpreter,
        line,
        destructive,
        notes,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::SharedStr;

    fn block(lang: Option<&str>, text: &str, flags: &[&str]) -> CodeBlock {
        CodeBlock {
            lang: lang.map(SharedStr::from),
            text: SharedStr::from(text),
            line: 3,
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    #[test]
    fn shell_languages_run_others_do_not() {
        assert_eq!(
            classify(Some("bash")),
            Some((Interpreter::Named("bash"), Dialect::Script))
        );
        assert_eq!(
            classify(Some("Console")),
            Some((Interpreter::Operator, Dialect::Console))
        );
        assert_eq!(
            classify(None),
            Some((Interpreter::Operator, Dialect::Script))
        );
        assert_eq!(
            classify(Some("shell")),
            Some((Interpreter::Operator, Dialect::Script))
        );
        assert_eq!(
            classify(Some("zsh")).map(|c| c.0),
            Some(Interpreter::Named("zsh"))
        );
        for other in ["yaml", "sql", "python", "json", "diff"] {
            assert_eq!(classify(Some(other)), None, "{other}");
        }
    }

    #[test]
    fn console_prompts_are_stripped_and_output_dropped() {
        let t = "$ kubectl get pods\nNAME   READY\nweb-1  1/1\n# check the count\n$ curl -f \\\n  https://x/health\nok\n$\n";
        assert_eq!(
            console_commands(t),
            "kubectl get pods\n# check the count\ncurl -f \\\n  https://x/health"
        );
    }

    #[test]
    fn console_secondary_prompts_continue_the_command() {
        let t = "$ for i in 1 2; do\n> echo $i\n> done\n1\n2\n";
        assert_eq!(console_commands(t), "for i in 1 2; do\necho $i\ndone");
    }

    #[test]
    fn console_without_prompts_is_plain_commands() {
        assert_eq!(
            console_commands("make test\nmake lint"),
            "make test\nmake lint"
        );
    }

    #[test]
    fn expected_comments_on_their_own_line_or_after_the_command() {
        let t = "poetry run mypy src  # Expected: ~7 errors\n# expected: exit 0\necho '#x'\ncurl x # not expected: no\n#Expect:  200 OK";
        assert_eq!(expected(t), vec!["~7 errors", "exit 0", "200 OK"]);
        assert!(expected("echo a#Expected: b").is_empty(), "inside a word");
    }

    #[test]
    fn destructive_flags_and_the_confirm_comment() {
        assert!(is_destructive(&block(
            Some("bash"),
            "rm -rf x",
            &["danger"]
        )));
        assert!(is_destructive(&block(Some("bash"), "x", &["confirm"])));
        assert!(is_destructive(&block(Some("bash"), "x", &["Destructive"])));
        assert!(!is_destructive(&block(Some("bash"), "x", &["timeout=5s"])));
        let b = block(Some("bash"), "x", &["timeout=90s", "auto-tick"]);
        assert_eq!(flag_value(&b, "timeout"), Some("90s"));
        assert!(has_flag(&b, "auto-tick"));
    }

    #[test]
    fn several_blocks_make_one_script_in_the_first_named_shell() {
        let blocks = [
            block(Some("yaml"), "a: 1\n", &[]),
            block(Some("console"), "$ echo one\none\n", &[]),
            block(Some("bash"), "echo two\n", &["danger"]),
            block(Some("zsh"), "echo three\n", &[]),
        ];
        let s = script(&blocks).unwrap();
        assert_eq!(s.text, "echo one\necho two\necho three");
        assert_eq!(s.interpreter, Interpreter::Named("bash"));
        assert!(s.destructive);
        assert!(s.notes.iter().any(|n| n.contains("all blocks run in bash")));
        assert!(s.notes.iter().any(|n| n.contains("yaml (line 3)")));
        assert!(script(&[block(Some("sql"), "DROP TABLE x;", &[])]).is_none());
    }
}
