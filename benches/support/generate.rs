//! The generated checklist the load benchmark and `examples/load_once.rs` measure: timed sections,
//! nested tasks, inline code/bold/links, `{{ VARS }}`, fenced commands, status tables, sign-offs.

use std::fmt::Write;

/// A realistic checklist: timed sections, nested tasks, commands, status tables, sign-offs.
pub fn generate(items: usize) -> String {
    let mut s = String::from("---\ntitle: Generated window\n---\n# Generated window\n\n");
    let mut n = 0;
    let mut section = 0;
    while n < items {
        section += 1;
        let _ = writeln!(
            s,
            "## {:02}:{:02} - Phase {section}\n",
            (section / 4) % 24,
            (section % 4) * 15
        );
        let _ = writeln!(
            s,
            "Intro for phase {section} with a [link](https://example.com/{section}).\n"
        );
        for k in 0..8 {
            let _ = writeln!(
                s,
                "- [ ] Step {section}.{k}: restart `svc-{k}` on **{{{{ HOST }}}}**"
            );
            let _ = writeln!(s, "  - [x] check {section}.{k} metrics");
            if k % 4 == 0 {
                let _ = writeln!(
                    s,
                    "\n  ```bash\n  kubectl rollout status deploy/svc-{k} --timeout=120s\n  ```\n"
                );
            }
            n += 2;
        }
        if section % 3 == 0 {
            s.push_str("\n| Check | Owner | Status |\n|---|---|---|\n");
            for r in 0..4 {
                let _ = writeln!(s, "| Verify shard {r} of phase {section} | dba | ☐ |");
                n += 1;
            }
        }
        s.push_str("\n- [ ] Tech Lead: ________ Date: ______\n\n");
        n += 1;
    }
    s
}
