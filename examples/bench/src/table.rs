//! The report: one row per figure with its baseline, ratio and target, and the worst ratio
//! against its target at the end.

use std::fmt::Write as _;

/// What a figure is held to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Target {
    /// value / baseline must not exceed this.
    RatioAtMost(f64),
    /// baseline / value (how many times faster) must reach this.
    RatioAtLeast(f64),
    /// The value itself, in its unit, must not exceed this.
    ValueAtMost(f64),
    /// The value itself must be exactly this.
    ValueEquals(f64),
    /// Reported for information; held to nothing.
    None,
}

impl Target {
    /// How far the measured number is from the target: above 1.0 is a miss; NaN for none.
    fn shortfall(self, measured: f64) -> f64 {
        match self {
            Target::RatioAtMost(t) | Target::ValueAtMost(t) => measured / t,
            Target::RatioAtLeast(t) => t / measured.max(f64::MIN_POSITIVE),
            Target::ValueEquals(t) if measured == t => 1.0,
            Target::ValueEquals(t) => (measured / t).max(t / measured.max(f64::MIN_POSITIVE)),
            Target::None => f64::NAN,
        }
    }

    fn describe(self, unit: &str) -> String {
        match self {
            Target::RatioAtMost(t) => format!("ratio <= {t:.2}"),
            Target::RatioAtLeast(t) => format!("ratio >= {t:.1}"),
            Target::ValueAtMost(t) => format!("<= {t} {unit}"),
            Target::ValueEquals(t) => format!("= {t} {unit}"),
            Target::None => "-".to_owned(),
        }
    }

    /// The ratio targets compare `ratio`; the value targets compare `value`.
    fn judged(self, row: &Measured) -> f64 {
        match self {
            Target::RatioAtMost(_) | Target::RatioAtLeast(_) => row.ratio.unwrap_or(f64::NAN),
            Target::ValueAtMost(_) | Target::ValueEquals(_) | Target::None => row.value,
        }
    }
}

/// A figure that was measured.
#[derive(Clone, Debug)]
pub(crate) struct Measured {
    pub value: f64,
    pub baseline: Option<f64>,
    pub ratio: Option<f64>,
    pub unit: &'static str,
    pub target: Target,
}

/// One line of the table.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub figure: String,
    pub result: Result<Measured, String>,
}

impl Row {
    pub(crate) fn measured(figure: impl Into<String>, measured: Measured) -> Row {
        Row {
            figure: figure.into(),
            result: Ok(measured),
        }
    }

    /// A figure reported without a target.
    pub(crate) fn informational(figure: impl Into<String>, value: f64, unit: &'static str) -> Row {
        Row::measured(
            figure,
            Measured {
                value,
                baseline: None,
                ratio: None,
                unit,
                target: Target::None,
            },
        )
    }

    /// A figure this run could not measure, with what it needs.
    pub(crate) fn pending(figure: impl Into<String>, needs: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            result: Err(needs.into()),
        }
    }

    fn shortfall(&self) -> Option<f64> {
        let m = self.result.as_ref().ok()?;
        let s = m.target.shortfall(m.target.judged(m));
        (!s.is_nan()).then_some(s)
    }
}

fn number(v: f64, unit: &str) -> String {
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    if unit.is_empty() {
        format!("{v:.digits$}")
    } else {
        format!("{v:.digits$} {unit}")
    }
}

/// The table as Markdown (readable in a terminal too), ending with the worst-ratio line.
pub(crate) fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| figure | value | baseline | ratio | target | result |\n| --- | --- | --- | --- | --- | --- |"
    );
    for row in rows {
        match &row.result {
            Ok(m) => {
                let baseline = m.baseline.map_or("-".into(), |b| number(b, m.unit));
                let ratio = m.ratio.map_or("-".into(), |r| format!("{r:.2}"));
                let verdict = match (m.target, row.shortfall()) {
                    (Target::None, _) => "-",
                    (_, Some(s)) if s <= 1.0 => "pass",
                    _ => "miss",
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    row.figure,
                    number(m.value, m.unit),
                    baseline,
                    ratio,
                    m.target.describe(m.unit),
                    verdict
                );
            }
            Err(needs) => {
                let _ = writeln!(
                    out,
                    "| {} | - | - | - | - | pending: needs {} |",
                    row.figure, needs
                );
            }
        }
    }
    let _ = writeln!(out, "\n{}", worst_line(rows));
    out
}

/// `worst: <figure>: <number> against target <target> (<shortfall>x of it): pass|miss`.
pub(crate) fn worst_line(rows: &[Row]) -> String {
    let worst = rows
        .iter()
        .filter_map(|r| Some((r, r.shortfall()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let pending = rows.iter().filter(|r| r.result.is_err()).count();
    let Some((row, shortfall)) = worst else {
        return format!("worst: nothing measured ({pending} pending)");
    };
    let Ok(m) = &row.result else {
        unreachable!("shortfall is only computed for measured rows")
    };
    let judged = m.target.judged(m);
    let shown = match m.target {
        Target::RatioAtMost(_) | Target::RatioAtLeast(_) => format!("ratio {judged:.2}"),
        _ => number(judged, m.unit),
    };
    format!(
        "worst: {}: {} against target {} ({:.2} of the allowance): {}{}",
        row.figure,
        shown,
        m.target.describe(m.unit),
        shortfall,
        if shortfall <= 1.0 { "pass" } else { "miss" },
        if pending > 0 {
            format!(" ({pending} figure(s) pending)")
        } else {
            String::new()
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(figure: &str, ratio: f64, target: Target) -> Row {
        Row::measured(
            figure,
            Measured {
                value: ratio,
                baseline: Some(1.0),
                ratio: Some(ratio),
                unit: "ms",
                target,
            },
        )
    }

    #[test]
    fn worst_is_the_furthest_from_its_target() {
        let rows = vec![
            row("a", 1.05, Target::RatioAtMost(1.10)),
            row("b", 2.0, Target::RatioAtLeast(3.0)),
            Row::pending("c", "the flusher"),
        ];
        let line = worst_line(&rows);
        assert!(
            line.starts_with("worst: b: ratio 2.00 against target ratio >= 3.0"),
            "{line}"
        );
        assert!(line.contains("miss (1 figure(s) pending)"), "{line}");
        let table = render(&rows);
        assert!(
            table.contains("| a | 1.05 ms | 1.00 ms | 1.05 | ratio <= 1.10 | pass |"),
            "{table}"
        );
        assert!(
            table.contains("| c | - | - | - | - | pending: needs the flusher |"),
            "{table}"
        );
    }

    #[test]
    fn exact_targets_pass_only_when_equal_and_information_is_never_worst() {
        let calls = |v| {
            Row::measured(
                "calls",
                Measured {
                    value: v,
                    baseline: None,
                    ratio: None,
                    unit: "calls",
                    target: Target::ValueEquals(2.0),
                },
            )
        };
        let bytes = Row::informational("bytes", 1e9, "bytes");
        assert!(worst_line(&[calls(2.0), bytes.clone()]).ends_with("pass"));
        assert!(worst_line(&[calls(4.0), bytes.clone()]).ends_with("miss"));
        assert!(render(&[bytes]).contains("| bytes | 1000000000 bytes | - | - | - | - |"));
    }
}
