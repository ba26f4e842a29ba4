//! `mp-emulator env --url URL [--reach-url URL] [--replica NAME]`: asks a running emulator
//! for its environment, or one replica's (it alone knows its authorization token and token
//! files), pointing at it as the process that gets it reaches it, and prints it as shell
//! `export` lines.

use super::control_client::get;
use clap::Args;

#[derive(Args)]
pub(crate) struct EnvArgs {
    /// The running emulator, as printed by `serve`: http://127.0.0.1:PORT
    #[arg(long)]
    url: String,
    /// Where the process that gets this environment reaches the emulator, when not at
    /// `--url`: http://HOST:PORT (another container's name, a published port).
    #[arg(long, value_name = "URL")]
    reach_url: Option<String>,
    /// Which credentials the environment selects: ecs (task role), eks (IRSA), ec2 (instance
    /// profile), anywhere (a License Manager license token, off AWS compute).
    #[arg(long, default_value = "ecs", value_parser = super::args::parse_platform)]
    platform: mp_emulator::Platform,
    /// One replica's environment (a task on ecs, a pod on eks), with a credentials session of
    /// its own: 1 to 64 letters, digits, `.`, `_` or `-`.
    #[arg(long, value_name = "NAME", value_parser = parse_replica)]
    replica: Option<String>,
}

fn parse_replica(name: &str) -> Result<String, String> {
    mp_emulator::credentials::check_replica_name(name)?;
    Ok(name.to_string())
}

pub(crate) fn env(args: &EnvArgs) -> Result<(), String> {
    let reach = args
        .reach_url
        .as_deref()
        .unwrap_or(&args.url)
        .trim_end_matches('/');
    let mut path = format!(
        "/_emulator/env?platform={}&url={}",
        args.platform.name(),
        percent_encoding::utf8_percent_encode(reach, percent_encoding::NON_ALPHANUMERIC)
    );
    if let Some(replica) = &args.replica {
        // A valid name needs no escaping in a query.
        path.push_str(&format!("&replica={replica}"));
    }
    let body = get(&args.url, &path)?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&body)
        .map_err(|e| format!("{} did not answer like mp-emulator: {e}", args.url))?;
    for (name, value) in pairs {
        println!("export {name}={}", shell_quote(&value));
    }
    Ok(())
}

/// Single-quotes a value for POSIX shells when it holds anything but safe characters.
fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(
            super::shell_quote("http://127.0.0.1:80"),
            "http://127.0.0.1:80"
        );
        assert_eq!(super::shell_quote("a b"), "'a b'");
        assert_eq!(super::shell_quote("it's"), r"'it'\''s'");
    }
}
