//! The Rust code blocks of the repository's markdown, compiled by `cargo test --doc`: each
//! file is the doc comment of an item here, so rustdoc compiles (and, unless `no_run`, runs)
//! every block a seller may copy. Blocks fenced with another language are skipped;
//! `markdown_files::every_rust_snippet_is_compiled` keeps this list complete.

macro_rules! markdown {
    ($($name:ident = $path:literal,)*) => {
        $(
            #[doc = include_str!($path)]
            pub struct $name;
        )*
    };
}

markdown! {
    Readme = "../README.md",
    DocsIndex = "../docs/README.md",
    AfterStartUp = "../docs/after-start-up.md",
    Anywhere = "../docs/anywhere.md",
    Architecture = "../docs/architecture.md",
    Contract = "../docs/contract.md",
    DeployEcs = "../docs/deploy-ecs.md",
    DeployEks = "../docs/deploy-eks.md",
    Dimensions = "../docs/dimensions.md",
    EmulatorAnyLanguage = "../docs/emulator-any-language.md",
    IamAndIrsa = "../docs/iam-and-irsa.md",
    Ledger = "../docs/ledger.md",
    LocalDevelopment = "../docs/local-development.md",
    MarketplaceRules = "../docs/marketplace-rules.md",
    Observability = "../docs/observability.md",
    Pricing = "../docs/pricing.md",
    ProductCodes = "../docs/product-codes.md",
    PublishingChecklist = "../docs/publishing-checklist.md",
    QuickStart = "../docs/quick-start.md",
    SignatureVerification = "../docs/signature-verification.md",
    Troubleshooting = "../docs/troubleshooting.md",
    EmulatorReadme = "../mp-emulator/README.md",
    MacrosReadme = "../mp-macros/README.md",
    MarketplaceRulesReadme = "../mp-marketplace-rules/README.md",
    RuntimeReadme = "../mp-runtime/README.md",
}
