//! `startup_deadline = "30s" | "5m" | "1h"`, at most six hours.

pub const DEFAULT_SECS: u64 = 5 * 60;
pub const MAX_SECS: u64 = 6 * 60 * 60;

/// Seconds in `text`, or a message saying what is wrong.
pub fn parse(text: &str) -> Result<u64, String> {
    let usage = "write a whole number followed by `s`, `m` or `h`, e.g. \"30s\", \"5m\", \"1h\"";
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        _ => return Err(format!("cannot read startup_deadline {text:?}: {usage}")),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("cannot read startup_deadline {text:?}: {usage}"));
    }
    let secs = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .unwrap_or(u64::MAX);
    if secs == 0 {
        return Err("startup_deadline must be at least \"1s\"".into());
    }
    if secs > MAX_SECS {
        return Err(format!(
            "startup_deadline {text:?} is longer than the 6h limit"
        ));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(parse("30s"), Ok(30));
        assert_eq!(parse("5m"), Ok(300));
        assert_eq!(parse("1h"), Ok(3600));
        assert_eq!(parse("6h"), Ok(MAX_SECS));
    }

    #[test]
    fn rejects() {
        for bad in ["", "5", "m", "5 m", "1.5h", "-1s", "5d"] {
            assert!(parse(bad).unwrap_err().contains("cannot read"), "{bad}");
        }
        assert!(parse("0s").unwrap_err().contains("at least"));
        assert!(parse("7h").unwrap_err().contains("6h limit"));
        assert!(
            parse("99999999999999999999h")
                .unwrap_err()
                .contains("6h limit")
        );
    }
}
