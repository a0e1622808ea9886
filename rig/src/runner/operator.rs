//! The operator: answers the checks only a person can make (S2, S15).

use std::io::{BufRead, Write};
use std::sync::Mutex;

/// Where manual checks go. Without an operator they are SKIPped with the reason.
pub struct Operator {
    interactive: bool,
    lock: Mutex<()>,
}

impl Operator {
    pub fn none() -> Self {
        Self {
            interactive: false,
            lock: Mutex::new(()),
        }
    }

    /// Ask on the terminal (stdin/stderr). The run waits while the operator answers.
    pub fn terminal() -> Self {
        Self {
            interactive: true,
            lock: Mutex::new(()),
        }
    }

    /// `Some((yes, note))` from the operator, `None` when there is none (or stdin closed).
    pub fn ask(&self, position: &str, case: &str, prompt: &str) -> Option<(bool, String)> {
        if !self.interactive {
            return None;
        }
        let _one_at_a_time = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let stdin = std::io::stdin();
        loop {
            eprint!("\n[{position} / {case}] {prompt}\n  answer y or n, optionally followed by a note: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            if stdin.lock().read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim();
            let (word, note) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            match word.to_ascii_lowercase().as_str() {
                "y" | "yes" => return Some((true, note.trim().to_string())),
                "n" | "no" => return Some((false, note.trim().to_string())),
                _ => eprintln!("  please answer y or n"),
            }
        }
    }
}
