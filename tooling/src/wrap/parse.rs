//! walrus, configured for the adapter: `wrap` uses it only to prune the
//! adapter (`link::pruned_adapter`), which is small. Guests are never
//! lifted into walrus's IR (`splice`).

use anyhow::{anyhow, Result};
use walrus::{Module, ModuleConfig};

/// Parses the adapter.
pub fn adapter(bytes: &[u8]) -> Result<Module> {
    config().parse(bytes).map_err(|error| anyhow!("the adapter is not a valid module: {}", first_line(&error)))
}

fn config() -> ModuleConfig {
    let mut config = ModuleConfig::new();
    // The adapter's DWARF would not describe its re-encoded code.
    config.generate_dwarf(false).generate_name_section(true).generate_producers_section(true);
    config
}

/// walrus errors carry context lines; a message is one line.
pub fn first_line(error: &anyhow::Error) -> String {
    format!("{error:#}").lines().next().unwrap_or_default().to_owned()
}
