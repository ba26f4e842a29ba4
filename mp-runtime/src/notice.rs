//! Warnings and errors an operator must see. They go through `tracing` (with fields), and
//! when nothing would show them (no subscriber installed) also to stderr, one line each, so
//! a seller who never set up logging still hears that usage was refused, moved or lost.
//! A seller's subscriber takes over as soon as there is one.

/// Whether a `tracing` event would reach nobody: no subscriber, global or scoped.
pub(crate) fn unobserved() -> bool {
    tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>())
}

/// `mp-runtime: <level>: <message> (field=value, ...)`, on one line.
pub(crate) fn stderr_line(level: &str, message: &str, fields: &[(&str, String)]) -> String {
    let message = crate::failure::one_line(message);
    if fields.is_empty() {
        return format!("mp-runtime: {level}: {message}");
    }
    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("mp-runtime: {level}: {message} ({})", fields.join(", "))
}

/// `operator!(warn, dimension = d, hour = h; "format {}", args)`: a `tracing` event at that
/// level with the fields (each `Display`), and the same line on stderr when nothing observes
/// `tracing`.
macro_rules! operator {
    ($level:ident, $($field:ident = $value:expr),* ; $($message:tt)+) => {{
        let message = format!($($message)+);
        tracing::$level!($($field = %$value,)* "{message}");
        if $crate::notice::unobserved() {
            eprintln!(
                "{}",
                $crate::notice::stderr_line(
                    stringify!($level),
                    &message,
                    &[$((stringify!($field), $value.to_string())),*],
                )
            );
        }
    }};
}
pub(crate) use operator;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_fields() {
        assert_eq!(
            stderr_line("warn", "usage\nmoved", &[("dimension", "requests".into())]),
            "mp-runtime: warn: usage moved (dimension=requests)"
        );
        assert_eq!(stderr_line("error", "lost", &[]), "mp-runtime: error: lost");
    }

    #[test]
    fn a_subscriber_takes_over() {
        let silent = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::new());
        assert!(tracing::dispatcher::with_default(&silent, unobserved));
        let listening = tracing::Dispatch::new(ListeningSubscriber);
        assert!(!tracing::dispatcher::with_default(&listening, unobserved));
    }

    struct ListeningSubscriber;

    impl tracing::Subscriber for ListeningSubscriber {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
}
