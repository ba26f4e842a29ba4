//! Run with the feature on: `cargo test -p mp-runtime --features metrics` (the workspace's
//! test command turns it on through mp-tests).

use super::*;
use crate::process::clock::SystemClock;
use crate::usage::counter::{Dimension, record as meter};
use crate::usage::flusher::{Flusher, RETRY_CAP, Settings};
use crate::usage::test_client::client;
use metrics_util::MetricKind;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use mp_emulator::{Emulator, EmulatorConfig, metering::Pricing};
use std::sync::Arc;
use std::time::Duration;

/// One published value: (name, kind, `dimension` label, value, description).
type Published = (String, Kind, Option<String>, f64, Option<String>);

/// Everything `publish` hands a recorder, as a debugging recorder saw it.
fn published() -> Vec<Published> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, publish);
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _unit, description, value)| {
            let kind = match key.kind() {
                MetricKind::Counter => Kind::Counter,
                MetricKind::Gauge => Kind::Gauge,
                MetricKind::Histogram => panic!("no histograms are published"),
            };
            let label = key
                .key()
                .labels()
                .find(|l| l.key() == DIMENSION_LABEL)
                .map(|l| l.value().to_owned());
            let value = match value {
                DebugValue::Counter(n) => n as f64,
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(_) => unreachable!(),
            };
            let name = key.key().name().to_owned();
            (name, kind, label, value, description.map(|d| d.to_string()))
        })
        .collect()
}

fn value_of(published: &[Published], name: &str, dimension: &str) -> f64 {
    published
        .iter()
        .find(|p| p.0 == name && p.2.as_deref() == Some(dimension))
        .unwrap_or_else(|| panic!("{name}{{dimension={dimension:?}}} not published"))
        .3
}

#[tokio::test]
async fn a_dimensions_units_reach_the_recorder_as_the_flusher_sends_them() {
    static D: Dimension = Dimension::new("metrics_requests");
    static DIMS: [&Dimension; 1] = [&D];
    const PRODUCT: &str = "metricsexport0000000000001";
    let config = EmulatorConfig::default().product(PRODUCT, Pricing::Custom, &["metrics_requests"]);
    let emu = Emulator::start(config).await.unwrap();
    let settings = Settings {
        product_code: PRODUCT.into(),
        task: "task-metrics".into(),
        checkpoint: Duration::from_secs(10),
        journal: None,
        retry_cap: RETRY_CAP,
        offline_limit: None,
    };
    let mut flusher = Flusher::with_dimensions(
        client(&emu),
        Arc::new(SystemClock),
        settings,
        Box::new(|| DIMS.to_vec()),
    );
    meter(&D, 5u8);
    let before = published();
    assert_eq!(
        value_of(
            &before,
            "mp_metering_metered_units_total",
            "metrics_requests"
        ),
        5.0
    );
    assert_eq!(
        value_of(&before, "mp_metering_pending_units", "metrics_requests"),
        5.0
    );
    assert_eq!(
        value_of(&before, "mp_metering_sent_units_total", "metrics_requests"),
        0.0
    );

    assert_eq!(flusher.step(true).await, 0, "sent at once, as at shutdown");
    assert_eq!(emu.ledger().total(PRODUCT, "metrics_requests"), 5);
    let after = published();
    let of = |name| value_of(&after, name, "metrics_requests");
    assert_eq!(of("mp_metering_metered_units_total"), 5.0);
    assert_eq!(of("mp_metering_sent_units_total"), 5.0);
    assert_eq!(of("mp_metering_pending_units"), 0.0);
    assert_eq!(of("mp_metering_pending_records"), 0.0);
    assert_eq!(of("mp_metering_lost_units_total"), 0.0);
}

#[test]
fn every_metric_is_published_with_its_kind_and_description() {
    static D: Dimension = Dimension::new("metrics_described");
    meter(&D, 1u8);
    let published = published();
    for (name, kind, label, _, description) in &published {
        let known = PROCESS
            .iter()
            .map(|m| (m.name, m.kind, false))
            .chain(PER_DIMENSION.iter().map(|m| (m.name, m.kind, true)))
            .find(|m| m.0 == name)
            .unwrap_or_else(|| panic!("{name} is not in the tables"));
        assert_eq!(*kind, known.1, "{name}");
        assert_eq!(
            label.is_some(),
            known.2,
            "{name}: labelled per dimension or not at all"
        );
        assert!(description.is_some(), "{name} has no description");
    }
    for m in PROCESS {
        assert!(
            published.iter().any(|p| p.0 == m.name),
            "{} missing",
            m.name
        );
    }
    for m in PER_DIMENSION {
        value_of(&published, m.name, "metrics_described");
    }
    assert_eq!(D.take().0, 1);
}

#[test]
fn docs_name_every_metric_with_its_kind() {
    let doc = include_str!("../../../../docs/observability.md");
    let documented: Vec<(String, String)> = doc
        .lines()
        .filter_map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_owned(), cells.get(2)?.to_string()))
        })
        .filter(|(name, _)| name.starts_with("mp_metering_"))
        .collect();
    let kind_word = |kind| match kind {
        Kind::Counter => "counter",
        Kind::Gauge => "gauge",
    };
    let all: Vec<(&str, Kind)> = PROCESS
        .iter()
        .map(|m| (m.name, m.kind))
        .chain(PER_DIMENSION.iter().map(|m| (m.name, m.kind)))
        .collect();
    for (name, kind) in &all {
        assert!(
            documented
                .iter()
                .any(|(n, k)| n == name && k.starts_with(kind_word(*kind))),
            "docs/observability.md has no `{name}` row of kind {}",
            kind_word(*kind)
        );
    }
    assert_eq!(
        documented.len(),
        all.len(),
        "a documented metric that is not published"
    );
}
