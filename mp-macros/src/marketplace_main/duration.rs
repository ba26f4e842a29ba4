//! The attribute's durations, `"30s" | "5m" | "1h" | "2d"`: a whole number and a unit, each
//! argument with its own bounds.

/// One duration argument: its name (for messages), default and bounds, in seconds.
pub(crate) struct Bounds {
    pub name: &'static str,
    pub default_secs: u64,
    pub min_secs: u64,
    pub max_secs: u64,
}

/// `startup_deadline`: how long start-up retries; at most the 6 hours a buyer's task may
/// reasonably wait to be registered.
pub(crate) const STARTUP_DEADLINE: Bounds = Bounds {
    name: "startup_deadline",
    default_secs: 5 * 60,
    min_secs: 1,
    max_secs: 6 * 60 * 60,
};

/// `offline_limit`: how long the process may run while its usage cannot be delivered (or its
/// license cannot be checked). The default is the Metering Service's own window: an hour's
/// record can be sent for 6 hours, so an outage shorter than that costs the seller nothing
/// and the buyer's production is not stopped over it. At least a minute (the first send
/// after an hour ends is spread over 30 s), at most a week.
pub(crate) const OFFLINE_LIMIT: Bounds = Bounds {
    name: "offline_limit",
    default_secs: 6 * 60 * 60,
    min_secs: 60,
    max_secs: 7 * 24 * 60 * 60,
};

/// `offline_limit` under contract pricing: how long the last license state is trusted while
/// License Manager cannot be asked. The same default; up to 30 days, because a product on
/// premises (AWS Marketplace for Containers Anywhere) may be cut off from AWS for days, and
/// its license changes at most monthly.
pub(crate) const CONTRACT_OFFLINE_LIMIT: Bounds = Bounds {
    max_secs: 30 * 24 * 60 * 60,
    ..OFFLINE_LIMIT
};

/// The value `offline_limit` takes to turn the limit off.
pub(crate) const OFF: &str = "off";

/// Seconds in `text`, or a message saying what is wrong.
pub(crate) fn parse(bounds: &Bounds, text: &str) -> Result<u64, String> {
    let name = bounds.name;
    // Days are offered only where a day is within bounds.
    let usage = if bounds.max_secs >= 24 * 60 * 60 {
        "write a whole number followed by `s`, `m`, `h` or `d`, e.g. \"30s\", \"5m\", \"1h\", \"2d\""
    } else {
        "write a whole number followed by `s`, `m` or `h`, e.g. \"30s\", \"5m\", \"1h\""
    };
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 60 * 60,
        "d" => 24 * 60 * 60,
        _ => return Err(format!("cannot read {name} {text:?}: {usage}")),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("cannot read {name} {text:?}: {usage}"));
    }
    let secs = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .unwrap_or(u64::MAX);
    if secs < bounds.min_secs {
        return Err(format!(
            "{name} must be at least {:?}",
            written(bounds.min_secs)
        ));
    }
    if secs > bounds.max_secs {
        return Err(format!(
            "{name} {text:?} is longer than the {} limit",
            written(bounds.max_secs)
        ));
    }
    Ok(secs)
}

/// A bound as the seller would write it: in the largest unit that divides it (days only past
/// a week, which reads better as 168h).
fn written(secs: u64) -> String {
    match secs {
        s if s > 7 * 86400 && s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let d = &STARTUP_DEADLINE;
        assert_eq!(parse(d, "30s"), Ok(30));
        assert_eq!(parse(d, "5m"), Ok(300));
        assert_eq!(parse(d, "1h"), Ok(3600));
        assert_eq!(parse(d, "6h"), Ok(d.max_secs));
        assert_eq!(parse(&OFFLINE_LIMIT, "168h"), Ok(OFFLINE_LIMIT.max_secs));
        assert_eq!(parse(&OFFLINE_LIMIT, "7d"), Ok(OFFLINE_LIMIT.max_secs));
        assert_eq!(parse(&CONTRACT_OFFLINE_LIMIT, "30d"), Ok(30 * 86400));
        assert_eq!(
            parse(&CONTRACT_OFFLINE_LIMIT, "31d").unwrap_err(),
            "offline_limit \"31d\" is longer than the 30d limit"
        );
    }

    #[test]
    fn rejects() {
        let d = &STARTUP_DEADLINE;
        for bad in ["", "5", "m", "5 m", "1.5h", "-1s", "5w", "d"] {
            assert!(parse(d, bad).unwrap_err().contains("cannot read"), "{bad}");
        }
        assert_eq!(
            parse(d, "0s").unwrap_err(),
            "startup_deadline must be at least \"1s\""
        );
        assert!(parse(d, "7h").unwrap_err().contains("6h limit"));
        assert!(
            parse(d, "99999999999999999999h")
                .unwrap_err()
                .contains("6h limit")
        );
    }

    #[test]
    fn each_argument_names_itself_and_its_bounds() {
        let o = &OFFLINE_LIMIT;
        assert_eq!(
            parse(o, "59s").unwrap_err(),
            "offline_limit must be at least \"1m\""
        );
        assert_eq!(
            parse(o, "169h").unwrap_err(),
            "offline_limit \"169h\" is longer than the 168h limit"
        );
        assert!(
            parse(o, "6 hours")
                .unwrap_err()
                .starts_with("cannot read offline_limit")
        );
        assert_eq!(parse(o, "1m"), Ok(60));
    }
}
