//! What the emulated AWS Marketplace recorded: accepted RegisterUsage calls, accepted
//! MeterUsage records, License Manager's activity, and counts of requests and rejections.
//! This is what a seller would be billed for, so end-to-end tests compare it with what their
//! program metered.

use crate::clock::{iso8601, utc_hour};
use crate::license::activity::LicenseActivity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The version of the ledger's JSON shape, its `version` field. It changes only when a
/// field is removed or changes meaning; a field added leaves it as it is.
pub const LEDGER_SCHEMA_VERSION: u32 = 1;

/// A snapshot of everything the emulator accepted and rejected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The JSON shape's version, [`LEDGER_SCHEMA_VERSION`]. A ledger written before the
    /// field existed has the shape of version 1, and reads as it.
    #[serde(default = "first_schema_version")]
    pub version: u32,
    /// Accepted RegisterUsage calls, in arrival order.
    pub registrations: Vec<Registration>,
    /// Accepted (non-dry-run) MeterUsage records, one per (product, dimension, hour, caller,
    /// replica).
    pub records: Vec<MeterRecord>,
    /// Requests received per operation (`RegisterUsage`, `MeterUsage`,
    /// `AssumeRoleWithWebIdentity`, `Unknown`), faulted ones included.
    pub requests: BTreeMap<String, u64>,
    /// Rejected requests per error name (`ThrottlingException`, `DuplicateRequestException`...).
    pub rejections: BTreeMap<String, u64>,
    /// License Manager's checkouts, extensions, check-ins, drawdowns, refusals and pool
    /// levels; empty (and left out of the JSON) until License Manager is called.
    #[serde(default, skip_serializing_if = "LicenseActivity::is_empty")]
    pub licenses: LicenseActivity,
}

fn first_schema_version() -> u32 {
    1
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            version: LEDGER_SCHEMA_VERSION,
            registrations: Vec::new(),
            records: Vec::new(),
            requests: BTreeMap::new(),
            rejections: BTreeMap::new(),
            licenses: LicenseActivity::default(),
        }
    }
}

/// One accepted RegisterUsage call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    /// The product code registered.
    pub product_code: String,
    /// The public key version the token was asked for.
    pub public_key_version: i32,
    /// The nonce the caller sent, if any.
    pub nonce: Option<String>,
    /// Which credential source signed the call: `ecs-task-role`, `irsa`, `instance-profile`.
    pub caller: String,
    /// Which replica's session of that source signed it; `None` for the default session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// Emulator-clock time of the call, epoch seconds.
    pub at: u64,
}

/// One accepted MeterUsage record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeterRecord {
    /// The product code metered.
    pub product_code: String,
    /// The dimension metered.
    pub dimension: String,
    /// The record's hour: its timestamp truncated to the hour, epoch seconds.
    pub hour: u64,
    /// The timestamp as sent, epoch seconds.
    pub timestamp: f64,
    /// The quantity accepted for the hour.
    pub quantity: i64,
    /// How the quantity is split by tags (empty when none were sent).
    pub allocations: Vec<Allocation>,
    /// The record id the service answered.
    pub record_id: String,
    /// The client token the caller sent, if any.
    pub client_token: Option<String>,
    /// Which credential source signed the record: `ecs-task-role`, `irsa`, `instance-profile`.
    pub caller: String,
    /// Which replica's session of that source signed it; `None` for the default session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// A share of a record's quantity attributed to a set of tags, or to none: an allocation
/// sent without `Tags` is the untagged share, and has no tags here.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Allocation {
    /// The quantity this allocation carries.
    pub quantity: i64,
    /// Its tags (empty: untagged).
    pub tags: Vec<Tag>,
}

impl Allocation {
    /// The share sent without `Tags`.
    pub fn untagged(quantity: i64) -> Self {
        Self {
            quantity,
            tags: Vec::new(),
        }
    }

    /// Whether this is the untagged share (a tagged one has 1 to 5 tags).
    pub fn is_untagged(&self) -> bool {
        self.tags.is_empty()
    }

    /// `key=value, key=value`, or `untagged`, for the table.
    fn tags_text(&self) -> String {
        if self.is_untagged() {
            return "untagged".to_string();
        }
        self.tags
            .iter()
            .map(|t| format!("{}={}", t.key, t.value))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A tag on an allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    /// The tag's key.
    pub key: String,
    /// The tag's value.
    pub value: String,
}

impl Ledger {
    /// Sum of accepted quantities for a product's dimension.
    pub fn total(&self, product_code: &str, dimension: &str) -> i64 {
        self.records
            .iter()
            .filter(|r| r.product_code == product_code && r.dimension == dimension)
            .map(|r| r.quantity)
            .sum()
    }

    /// Requests received for one operation.
    pub fn request_count(&self, operation: &str) -> u64 {
        self.requests.get(operation).copied().unwrap_or(0)
    }

    /// Rejections with one error name.
    pub fn rejection_count(&self, error: &str) -> u64 {
        self.rejections.get(error).copied().unwrap_or(0)
    }

    /// Whether any call was signed by a named replica's session, rather than only by the
    /// sources' default ones.
    pub fn has_replicas(&self) -> bool {
        self.registrations.iter().any(|r| r.replica.is_some())
            || self.records.iter().any(|r| r.replica.is_some())
    }

    /// A human-readable table (what `mp-emulator run` prints on stderr). A `replica` column
    /// follows `caller` when a named replica signed anything.
    pub fn to_table(&self) -> String {
        let replicas = self.has_replicas();
        // The caller column, and the replica column when there is one.
        let who = |caller: &str, replica: &Option<String>| {
            if replicas {
                format!("{caller:<18} {:<20}", replica.as_deref().unwrap_or("-"))
            } else {
                format!("{caller:<18}")
            }
        };
        let who_heading = who("caller", &Some("replica".to_string()));
        let mut out = String::new();
        let _ = writeln!(out, "RegisterUsage accepted: {}", self.registrations.len());
        if !self.registrations.is_empty() {
            let _ = writeln!(
                out,
                "  {:<28} {:>7} {who_heading} at (UTC)",
                "product", "key ver"
            );
            for r in &self.registrations {
                let _ = writeln!(
                    out,
                    "  {:<28} {:>7} {} {}",
                    r.product_code,
                    r.public_key_version,
                    who(&r.caller, &r.replica),
                    iso8601(r.at as f64)
                );
            }
        }
        let _ = writeln!(out, "MeterUsage records: {}", self.records.len());
        if !self.records.is_empty() {
            let _ = writeln!(
                out,
                "  {:<28} {:<16} {:<17} {:>12} {:>5} {who_heading} record id",
                "product", "dimension", "hour (UTC)", "quantity", "alloc"
            );
            for r in &self.records {
                let _ = writeln!(
                    out,
                    "  {:<28} {:<16} {:<17} {:>12} {:>5} {} {}",
                    r.product_code,
                    r.dimension,
                    utc_hour(r.hour),
                    r.quantity,
                    r.allocations.len(),
                    who(&r.caller, &r.replica),
                    r.record_id
                );
                for a in &r.allocations {
                    let _ = writeln!(out, "      allocated {:>12}  {}", a.quantity, a.tags_text());
                }
            }
        }
        let counts = |m: &BTreeMap<String, u64>| {
            if m.is_empty() {
                "none".to_string()
            } else {
                m.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        if !self.licenses.is_empty() {
            self.licenses.write_table(&mut out);
        }
        let _ = writeln!(out, "requests: {}", counts(&self.requests));
        let _ = write!(out, "rejections: {}", counts(&self.rejections));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_records_and_counts() {
        let mut l = Ledger::default();
        l.records.push(MeterRecord {
            product_code: "p".into(),
            dimension: "requests".into(),
            hour: 3600,
            timestamp: 3601.0,
            quantity: 5,
            allocations: vec![
                Allocation {
                    quantity: 3,
                    tags: vec![Tag {
                        key: "tenant".into(),
                        value: "acme corp".into(),
                    }],
                },
                Allocation::untagged(2),
            ],
            record_id: "id-1".into(),
            client_token: None,
            caller: "irsa".into(),
            replica: None,
        });
        l.requests.insert("MeterUsage".into(), 2);
        l.rejections.insert("ThrottlingException".into(), 1);
        let t = l.to_table();
        assert!(t.contains("requests") && t.contains("id-1"), "{t}");
        assert!(t.contains("3  tenant=acme corp\n"), "{t}");
        assert!(t.contains("2  untagged\n"), "{t}");
        assert!(
            t.contains("MeterUsage=2") && t.contains("ThrottlingException=1"),
            "{t}"
        );
        assert_eq!(l.total("p", "requests"), 5);
        assert!(!t.contains("replica"), "{t}");
    }

    #[test]
    fn table_shows_hours_and_times_as_utc_date_times() {
        let mut l = Ledger::default();
        l.registrations.push(Registration {
            product_code: "p".into(),
            public_key_version: 1,
            nonce: None,
            caller: "ecs-task-role".into(),
            replica: None,
            at: 1_796_302_824,
        });
        l.records.push(MeterRecord {
            product_code: "p".into(),
            dimension: "requests".into(),
            hour: 1_796_302_800,
            timestamp: 1_796_302_830.0,
            quantity: 1,
            allocations: vec![],
            record_id: "id-1".into(),
            client_token: None,
            caller: "irsa".into(),
            replica: None,
        });
        let t = l.to_table();
        assert!(t.contains(" 2026-12-03T13:00:24Z"), "{t}");
        assert!(t.contains(" 2026-12-03T13:00Z "), "{t}");
        assert!(!t.contains("1796302"), "no epoch seconds: {t}");
    }

    #[test]
    fn json_names_its_schema_version() {
        let json = serde_json::to_value(Ledger::default()).unwrap();
        assert_eq!(json["version"], LEDGER_SCHEMA_VERSION);
    }

    #[test]
    fn table_names_replicas_once_a_named_one_signed() {
        let record = |replica: Option<&str>, id: &str| MeterRecord {
            product_code: "p".into(),
            dimension: "requests".into(),
            hour: 3600,
            timestamp: 3600.0,
            quantity: 1,
            allocations: vec![],
            record_id: id.into(),
            client_token: None,
            caller: "irsa".into(),
            replica: replica.map(str::to_string),
        };
        let mut l = Ledger::default();
        l.records.push(record(Some("pod-a"), "id-a"));
        l.records.push(record(None, "id-default"));
        let t = l.to_table();
        let row = |id: &str| t.lines().find(|l| l.ends_with(id)).unwrap().to_string();
        assert!(t.contains(" caller ") && t.contains(" replica "), "{t}");
        assert!(
            row("id-a").contains(" irsa ") && row("id-a").contains(" pod-a "),
            "{t}"
        );
        assert!(row("id-default").contains(" - "), "{t}");
    }

    #[test]
    fn ledger_json_without_replicas_or_version_still_reads() {
        let old = r#"{"registrations": [{"product_code": "p", "public_key_version": 1,
            "nonce": null, "caller": "irsa", "at": 1}],
            "records": [{"product_code": "p", "dimension": "d", "hour": 0, "timestamp": 1.0,
            "quantity": 1, "allocations": [], "record_id": "r", "client_token": null,
            "caller": "irsa"}], "requests": {}, "rejections": {}}"#;
        let l: Ledger = serde_json::from_str(old).unwrap();
        assert_eq!(
            (
                l.registrations[0].replica.as_ref(),
                l.records[0].replica.as_ref()
            ),
            (None, None)
        );
        assert_eq!(
            l.version, 1,
            "a ledger without `version` has version 1's shape"
        );
        let again = serde_json::to_string(&l).unwrap();
        assert!(
            !again.contains("replica"),
            "unchanged for the default session: {again}"
        );
    }
}
