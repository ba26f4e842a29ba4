//! Item 3: how long a program takes to fail when no region source answers: no
//! `AWS_REGION`, and ECS task metadata and instance metadata pointed at a loopback listener
//! that accepts and never replies. The attribute hello against the hand-written hello,
//! whose region comes from aws-config's default chain (which has no ECS step, so only its
//! instance-metadata step waits).

use crate::black_hole::BlackHole;
use crate::child::{self, median_ms};
use crate::table::{Measured, Row, Target};
use anyhow::bail;
use std::path::Path;
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(120);

/// The rows, and each program's error message (for the report: "with the clearer message").
pub(crate) struct Outcome {
    pub rows: Vec<Row>,
    pub attribute_message: String,
    pub raw_message: String,
}

pub(crate) fn measure(attribute: &Path, raw: &Path, runs: usize) -> anyhow::Result<Outcome> {
    let hole = BlackHole::start()?;
    let env: Vec<(String, String)> = [
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        (
            "ECS_CONTAINER_METADATA_URI_V4",
            format!("{}/v4/bench", hole.url()),
        ),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", hole.url()),
        // Neither program gets this far; if one did, it would only reach the black hole.
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", hole.url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let (mut attr, mut base) = (Vec::new(), Vec::new());
    let (mut attribute_message, mut raw_message) = (String::new(), String::new());
    for _ in 0..runs {
        let a = child::run(attribute, &env, GUARD)?;
        let r = child::run(raw, &env, GUARD)?;
        for (run, name) in [(&a, "hello-attribute"), (&r, "hello-raw-sdk")] {
            if run.code == Some(0) || run.first_line.is_some() {
                bail!(
                    "{name} started without any region source (exit {:?})",
                    run.code
                );
            }
        }
        attribute_message = a.last_error_line().to_owned();
        raw_message = r.last_error_line().to_owned();
        attr.push(a.exit);
        base.push(r.exit);
    }
    let (value, baseline) = (median_ms(attr) / 1e3, median_ms(base) / 1e3);
    let rows = vec![
        Row::measured(
            format!("3. no-region failure, attribute, median of {runs}"),
            Measured {
                value,
                baseline: None,
                ratio: None,
                unit: "s",
                target: Target::ValueAtMost(1.0),
            },
        ),
        Row::measured(
            "3. no-region failure, times faster than aws-config's chain",
            Measured {
                value,
                baseline: Some(baseline),
                ratio: Some(baseline / value),
                unit: "s",
                target: Target::RatioAtLeast(3.0),
            },
        ),
    ];
    Ok(Outcome {
        rows,
        attribute_message,
        raw_message,
    })
}
