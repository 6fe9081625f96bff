//! Arguments several subcommands share.

/// Which board, and which of its runtime variants.
#[derive(clap::Args)]
pub struct Target {
    /// Board (`trevm catalog` lists them).
    #[arg(long, default_value = "host")]
    pub board: String,
    /// Runtime variants, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub runtime: Vec<String>,
}
