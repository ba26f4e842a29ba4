//! What an emulator instance plays: its region, the products it knows, the licenses the buyer
//! holds, the scenario it starts in and the key it signs tokens with (or the forgery it
//! answers RegisterUsage with instead).

use crate::forgery::Forgery;
use crate::keys::{TEST_ONLY_KEY_VERSION, TEST_ONLY_PRIVATE_KEY_PEM};
use crate::license::spec::{DEMO_CONTRACT_SKU, LicenseSpec, check_sku};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The documented demo hourly product, present when no product is configured.
pub const DEMO_HOURLY_PRODUCT: &str = "mpemudemohourly0000000001";
/// The documented demo custom-pricing product, with dimensions `requests` and `data_gb`.
pub const DEMO_CUSTOM_PRODUCT: &str = "mpemudemocustom0000000001";
/// The demo custom product's dimensions.
pub const DEMO_CUSTOM_DIMENSIONS: &[&str] = &["requests", "data_gb"];

/// How a listing is priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pricing {
    /// Billed per hour of running, after `RegisterUsage`.
    Hourly,
    /// Billed per month, after `RegisterUsage`.
    Monthly,
    /// Billed by the dimensions the program reports with `MeterUsage`.
    Custom,
}

impl FromStr for Pricing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "hourly" => Ok(Self::Hourly),
            "monthly" => Ok(Self::Monthly),
            "custom" => Ok(Self::Custom),
            other => Err(format!(
                "unknown pricing `{other}`: use hourly, monthly or custom"
            )),
        }
    }
}

impl fmt::Display for Pricing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Hourly => "hourly",
            Self::Monthly => "monthly",
            Self::Custom => "custom",
        })
    }
}

/// A product listing the emulator knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The product code.
    pub code: String,
    /// How the listing is priced.
    pub pricing: Pricing,
    /// API names of the custom dimensions MeterUsage accepts.
    pub dimensions: Vec<String>,
}

impl FromStr for Product {
    type Err = String;
    /// `CODE=PRICING[:dim1,dim2...]`, the `--product` flag's form.
    fn from_str(s: &str) -> Result<Self, String> {
        let (code, rest) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not CODE=PRICING[:dim1,dim2...]"))?;
        let (pricing, dims) = rest.split_once(':').unwrap_or((rest, ""));
        let dimensions: Vec<String> = dims
            .split(',')
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        mp_marketplace_rules::check_product_code(code).map_err(|v| v.to_string())?;
        for dimension in &dimensions {
            mp_marketplace_rules::check_dimension(dimension).map_err(|v| v.to_string())?;
        }
        Ok(Product {
            code: code.to_string(),
            pricing: pricing.parse()?,
            dimensions,
        })
    }
}

/// Configuration of one emulator. `Default` = the demo products, region `us-east-1`, entitled.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub(crate) region: String,
    pub(crate) products: Vec<Product>,
    /// False until the first `product()` call, which replaces the demo products.
    products_customised: bool,
    pub(crate) scenario: Scenario,
    pub(crate) signing_key_pem: String,
    pub(crate) key_version: i32,
    /// Answer RegisterUsage with this forged Signature instead of a genuine one.
    pub(crate) forgery: Option<Forgery>,
    /// The licenses the buyer holds, by product SKU, in the order given.
    pub(crate) licenses: Vec<(String, LicenseSpec)>,
    /// False until the first `license()` or `no_license()` call, which replaces the demo one.
    licenses_customised: bool,
    /// License Manager throttles this many calls first.
    pub(crate) throttled_license_calls: u32,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            region: "us-east-1".to_string(),
            products: vec![
                Product {
                    code: DEMO_HOURLY_PRODUCT.to_string(),
                    pricing: Pricing::Hourly,
                    dimensions: vec![],
                },
                Product {
                    code: DEMO_CUSTOM_PRODUCT.to_string(),
                    pricing: Pricing::Custom,
                    dimensions: DEMO_CUSTOM_DIMENSIONS
                        .iter()
                        .map(|d| d.to_string())
                        .collect(),
                },
            ],
            products_customised: false,
            scenario: Scenario::default(),
            signing_key_pem: TEST_ONLY_PRIVATE_KEY_PEM.to_string(),
            key_version: TEST_ONLY_KEY_VERSION,
            forgery: None,
            licenses: vec![(DEMO_CONTRACT_SKU.to_string(), LicenseSpec::demo())],
            licenses_customised: false,
            throttled_license_calls: 0,
        }
    }
}

impl EmulatorConfig {
    /// Same as `Default::default()`: demo products, region `us-east-1`, entitled.
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> Self {
        <Self as Default>::default()
    }

    /// The region the emulator plays; requests signed for another get a region error.
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_string();
        self
    }

    /// Adds a product; the first call replaces the demo products.
    pub fn product(self, code: &str, pricing: Pricing, dims: &[&str]) -> Self {
        self.with_product(Product {
            code: code.to_string(),
            pricing,
            dimensions: dims.iter().map(|d| d.to_string()).collect(),
        })
    }

    /// Adds a product given as a value (e.g. parsed from `--product`).
    pub fn with_product(mut self, product: Product) -> Self {
        if !self.products_customised {
            self.products.clear();
            self.products_customised = true;
        }
        self.products.retain(|p| p.code != product.code);
        self.products.push(product);
        self
    }

    /// The scenario the emulator starts in.
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// RSA private key (PKCS#8 or PKCS#1 PEM) to sign RegisterUsage tokens with.
    pub fn signing_key_pem(mut self, pem: &str) -> Self {
        self.signing_key_pem = pem.to_string();
        self
    }

    /// The public key version the emulator signs as and expects (default 1).
    pub fn key_version(mut self, version: i32) -> Self {
        self.key_version = version;
        self
    }

    /// Answers every accepted RegisterUsage with a forged `Signature` (tamper tests); the
    /// call is still validated and recorded in the ledger as a registration.
    pub fn forge_signature(mut self, forgery: Forgery) -> Self {
        self.forgery = Some(forgery);
        self
    }

    /// Grants `spec` for product SKU `sku` (replacing its license if it has one); the first
    /// `license` or `no_license` call replaces the demo contract license.
    pub fn license(mut self, sku: &str, spec: LicenseSpec) -> Self {
        self = self.no_license(sku);
        self.licenses.push((sku.to_string(), spec));
        self
    }

    /// No license for `sku`: its checkouts answer `NoEntitlementsAllowedException`. Also
    /// drops the demo contract license, as any `license` call does.
    pub fn no_license(mut self, sku: &str) -> Self {
        if !self.licenses_customised {
            self.licenses.clear();
            self.licenses_customised = true;
        }
        self.licenses.retain(|(s, _)| s != sku);
        self
    }

    /// License Manager answers its first `calls` calls with `RateLimitExceededException`.
    pub fn throttle_license_calls(mut self, calls: u32) -> Self {
        self.throttled_license_calls = calls;
        self
    }

    /// The licenses granted at start, by product SKU.
    pub fn licenses(&self) -> &[(String, LicenseSpec)] {
        &self.licenses
    }

    /// Checks every license (see [`LicenseSpec::validate`]) and SKU.
    pub(crate) fn validate_licenses(&self) -> Result<(), String> {
        for (sku, spec) in &self.licenses {
            check_sku(sku)?;
            spec.validate()
                .map_err(|e| format!("license of {sku}: {e}"))?;
        }
        Ok(())
    }

    /// The products listed, in the order added.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// The region the emulator plays.
    pub fn region_name(&self) -> &str {
        &self.region
    }

    pub(crate) fn find_product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_flag_parses() {
        let p: Product = "abc123=custom:requests,data_gb".parse().unwrap();
        assert_eq!(p.pricing, Pricing::Custom);
        assert_eq!(p.dimensions, ["requests", "data_gb"]);
        let p: Product = "abc123=hourly".parse().unwrap();
        assert!(p.dimensions.is_empty());
        assert!("abc123".parse::<Product>().is_err());
        assert!("abc123=weekly".parse::<Product>().is_err());
        assert!("bad code!=hourly".parse::<Product>().is_err());
    }

    #[test]
    fn first_license_replaces_the_demo_license() {
        assert_eq!(EmulatorConfig::default().licenses()[0].0, DEMO_CONTRACT_SKU);
        let c = EmulatorConfig::default()
            .license("prod-a", LicenseSpec::new().tier("pro"))
            .license("prod-b", LicenseSpec::new().tier("basic"))
            .license("prod-a", LicenseSpec::new().tier("max"));
        let skus: Vec<_> = c
            .licenses()
            .iter()
            .map(|(s, l)| (s.as_str(), l.tier.as_deref()))
            .collect();
        assert_eq!(skus, [("prod-b", Some("basic")), ("prod-a", Some("max"))]);
        assert!(
            EmulatorConfig::default()
                .no_license("x")
                .licenses()
                .is_empty()
        );
    }

    #[test]
    fn first_product_replaces_demo_products() {
        let c = EmulatorConfig::default()
            .product("p1", Pricing::Hourly, &[])
            .product("p2", Pricing::Custom, &["d"]);
        let codes: Vec<_> = c.products().iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["p1", "p2"]);
    }
}
