//! A start-up failure: one line on stderr an operator can act on, a `tracing` event, and
//! a distinct exit code.

use std::fmt;

/// Why start-up stopped, with the exit code of its class (see [`crate::exit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: i32,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: one_line(&message.into()),
        }
    }

    /// The exact line printed on stderr (messages are sentences without the final period).
    pub(crate) fn line(&self) -> String {
        format!("mp-runtime: {}. [exit {}]", self.message, self.code)
    }

    /// Reports the failure and ends the process; the seller's code never runs.
    pub(crate) fn exit(self) -> ! {
        tracing::error!(exit_code = self.code, "{}", self.message);
        eprintln!("{}", self.line());
        std::process::exit(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// Folds line breaks, control characters and runs of spaces (from service messages, SDK
/// errors or buyer-set variables) so the failure stays one readable line.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a caught panic said: its `&str` or `String` payload, or "no message".
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

/// An error and its causes, `outer: inner: ...`, without the SDK's `Debug` dump and without
/// repeating a cause the outer message already quotes.
pub(crate) fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        source = cause.source();
    }
    text
}

/// A value taken from the buyer's environment, quoted and cut short for a message.
pub(crate) fn quoted(value: &str) -> String {
    const MAX: usize = 80;
    let cut: String = value.chars().take(MAX).collect();
    let ellipsis = if value.chars().count() > MAX {
        "..."
    } else {
        ""
    };
    format!("{:?}{ellipsis}", cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_names_code_and_stays_on_one_line() {
        let f = Failure::new(80, "not entitled\nsecond line\r");
        assert_eq!(f.line(), "mp-runtime: not entitled second line. [exit 80]");
    }

    #[test]
    fn quoted_escapes_and_truncates() {
        assert_eq!(quoted("a\"b\n"), r#""a\"b\n""#);
        assert!(quoted(&"x".repeat(200)).ends_with("\"..."));
    }
}
