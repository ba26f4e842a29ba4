//! `mp-emulator license-token --url URL --license SKU [--role ARN]... [--days N]`: asks a
//! running emulator to mint a License Manager refresh token (what the buyer's `CreateToken`
//! returns) and prints it on stdout, its id on stderr (for `DeleteToken`).

use super::control_client::post;
use clap::Args;
use serde_json::json;

#[derive(Args)]
pub(crate) struct LicenseTokenArgs {
    /// The running emulator, as printed by `serve`: http://127.0.0.1:PORT
    #[arg(long)]
    url: String,
    /// The product SKU whose license the token is for (the buyer must hold one).
    #[arg(long = "license", value_name = "SKU")]
    sku: String,
    /// An IAM role the token may assume through STS; repeatable. Default: the emulator's
    /// license-token role (what `env --platform anywhere` exports as AWS_ROLE_ARN).
    #[arg(long = "role", value_name = "ARN")]
    roles: Vec<String>,
    /// Days until the token expires, on the emulator's clock.
    #[arg(long, value_name = "N", default_value_t = 365)]
    days: u32,
}

pub(crate) fn license_token(args: &LicenseTokenArgs) -> Result<(), String> {
    let request = json!({ "sku": args.sku, "roles": args.roles, "days": args.days });
    let body = post(&args.url, "/_emulator/license-tokens", &request.to_string())?;
    let answer: serde_json::Value = serde_json::from_str(&body)
        .map_err(|e| format!("{} did not answer like mp-emulator: {e}", args.url))?;
    let (Some(id), Some(token)) = (answer["id"].as_str(), answer["token"].as_str()) else {
        return Err(format!(
            "{} did not answer like mp-emulator: {body}",
            args.url
        ));
    };
    eprintln!("mp-emulator: license token {id} for {}", args.sku);
    println!("{token}");
    Ok(())
}
