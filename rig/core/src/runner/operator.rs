//! The operator: answers the checks only a person can make (S2, S15).
//!
//! The prompt is read on a blocking thread (`spawn_blocking`), never on a runtime thread:
//! other positions' cases go on while the operator thinks, and in virtual time tokio holds
//! the clock still while a blocking task runs, so the operator's minutes cost no bench
//! time. Answers may be typed or piped (`yes y | rig run --operator`); when the input ends
//! before an answer, the operator is gone and the check was not made: that is the rig's
//! fault (an ERROR), never a pass and never a silent SKIP.

use std::io::{BufRead, Write};

/// The operator's answer to one prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// `y` or `n`, with any note typed after it.
    Given { yes: bool, note: String },
    /// The run has no operator (`--operator` not given).
    NoOperator,
    /// The operator's input ended (stdin closed or at end of file) before an answer.
    InputClosed,
}

/// Something drawn on the terminal that must stand aside while the operator is asked
/// (the live console): hidden before the question, shown again after the answer.
pub trait Aside: Send + Sync {
    fn hide(&self);
    fn show(&self);
}

/// Where manual checks go. Without an operator they are SKIPped with the reason.
pub struct Operator {
    interactive: bool,
    /// One prompt at a time, across positions.
    lock: tokio::sync::Mutex<()>,
    aside: Option<std::sync::Arc<dyn Aside>>,
}

impl Operator {
    pub fn none() -> Self {
        Self {
            interactive: false,
            lock: tokio::sync::Mutex::new(()),
            aside: None,
        }
    }

    /// Ask on the terminal (stdin/stderr).
    pub fn terminal() -> Self {
        Self {
            interactive: true,
            lock: tokio::sync::Mutex::new(()),
            aside: None,
        }
    }

    /// Move `display` aside while a question is on the terminal.
    pub fn beside(mut self, display: std::sync::Arc<dyn Aside>) -> Self {
        self.aside = Some(display);
        self
    }

    pub(crate) async fn ask(&self, position: &str, case: &str, prompt: &str) -> Answer {
        if !self.interactive {
            return Answer::NoOperator;
        }
        let _one_at_a_time = self.lock.lock().await;
        let question = format!("\n[{position} / {case}] {prompt}\n");
        if let Some(a) = &self.aside {
            a.hide();
        }
        let asked = tokio::task::spawn_blocking(move || {
            let stdin = std::io::stdin();
            ask_on(&mut stdin.lock(), &mut std::io::stderr(), &question)
        });
        let answer = asked.await.unwrap_or(Answer::InputClosed);
        if let Some(a) = &self.aside {
            a.show();
        }
        answer
    }
}

/// Ask `question` on `output` until `input` gives a `y` or `n` line, or ends.
fn ask_on(input: &mut impl BufRead, output: &mut impl Write, question: &str) -> Answer {
    let _ = write!(output, "{question}");
    loop {
        let _ = write!(output, "  answer y or n, optionally followed by a note: ");
        let _ = output.flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return Answer::InputClosed,
            Ok(_) => {}
        }
        let line = line.trim();
        let (word, note) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let note = note.trim().to_string();
        match word.to_ascii_lowercase().as_str() {
            "y" | "yes" => return Answer::Given { yes: true, note },
            "n" | "no" => return Answer::Given { yes: false, note },
            _ => {
                let _ = writeln!(output, "  please answer y or n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(input: &str) -> (Answer, String) {
        let mut out = Vec::new();
        let a = ask_on(&mut input.as_bytes(), &mut out, "Is it lit?\n");
        (a, String::from_utf8(out).unwrap())
    }

    #[test]
    fn an_answer_and_its_note_are_read_after_a_wrong_word() {
        let (a, shown) = ask("maybe\nY label reads Twinning\n");
        assert_eq!(
            a,
            Answer::Given {
                yes: true,
                note: "label reads Twinning".into()
            }
        );
        assert!(shown.contains("please answer y or n"), "{shown}");
        assert_eq!(
            ask("no\n").0,
            Answer::Given {
                yes: false,
                note: String::new()
            }
        );
    }

    #[test]
    fn input_that_ends_before_an_answer_is_no_answer() {
        assert_eq!(ask("").0, Answer::InputClosed);
        assert_eq!(ask("what?\n").0, Answer::InputClosed);
    }

    #[tokio::test(start_paused = true)]
    async fn without_an_operator_nothing_is_asked() {
        assert_eq!(
            Operator::none().ask("p", "c", "?").await,
            Answer::NoOperator
        );
    }
}
