//! The `strata` custom section: what `wrap` records in every module it
//! writes, so that `inspect`, `ls`, `extract` and a second `wrap` can find
//! the adapter's memory and the image without guessing.
//!
//! The format (`docs/wrapped-module.md`) is UTF-8 text, one `key value`
//! line each, indices in the module's index spaces:
//!
//! ```text
//! strata-wrap 1
//! adapter-version 0.1.0
//! adapter-memory 1
//! image-base-global 5
//! image-len-global 6
//! image-offset 1114112
//! image-len 52731
//! image-data 3
//! virtualized fd_prestat_dir_name fd_prestat_get fd_write
//! ```
//!
//! `image-data` is absent when there is no image (`image-len 0`). Readers
//! reject another first line, and ignore keys they do not know.

use std::fmt::Write;

use anyhow::{anyhow, bail, Context, Result};

/// The custom section's name.
pub const NAME: &str = "strata";
/// The section of a module traced by `strata trace` (the same record).
pub const TRACE_NAME: &str = "strata-trace";
/// The first line, with the format version.
const FIRST_LINE: &str = "strata-wrap 1";

/// The section as it is stored: indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub adapter_version: String,
    pub memory: u32,
    pub image_base: u32,
    pub image_len_global: u32,
    pub image_offset: u32,
    pub image_len: u32,
    pub image_data: Option<u32>,
    pub virtualized: Vec<String>,
}

impl Record {
    pub fn encode(&self) -> String {
        let mut text = String::new();
        let mut line = |key: &str, value: &dyn std::fmt::Display| {
            writeln!(text, "{key} {value}").expect("writing to a String");
        };
        line("adapter-version", &self.adapter_version);
        line("adapter-memory", &self.memory);
        line("image-base-global", &self.image_base);
        line("image-len-global", &self.image_len_global);
        line("image-offset", &self.image_offset);
        line("image-len", &self.image_len);
        if let Some(data) = self.image_data {
            line("image-data", &data);
        }
        line("virtualized", &self.virtualized.join(" "));
        format!("{FIRST_LINE}\n{text}")
    }

    pub fn decode(bytes: &[u8]) -> Result<Record> {
        let text = std::str::from_utf8(bytes).map_err(|_| anyhow!("it is not UTF-8"))?;
        let mut lines = text.lines();
        match lines.next() {
            Some(FIRST_LINE) => {}
            Some(first) if first.starts_with("strata-wrap ") => {
                bail!("it is format {:?}, this strata reads {FIRST_LINE:?}", first)
            }
            _ => bail!("it does not start with {FIRST_LINE:?}"),
        }
        let mut fields = std::collections::HashMap::new();
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            fields.insert(key, value);
        }
        let text = |key: &str| fields.get(key).copied().with_context(|| format!("it has no {key} line"));
        let number =
            |key: &str| -> Result<u32> { text(key)?.parse().map_err(|_| anyhow!("its {key} line is not a number")) };
        let record = Record {
            adapter_version: text("adapter-version")?.to_owned(),
            memory: number("adapter-memory")?,
            image_base: number("image-base-global")?,
            image_len_global: number("image-len-global")?,
            image_offset: number("image-offset")?,
            image_len: number("image-len")?,
            image_data: if fields.contains_key("image-data") { Some(number("image-data")?) } else { None },
            virtualized: text("virtualized")?.split_whitespace().map(str::to_owned).collect(),
        };
        if record.image_data.is_none() != (record.image_len == 0) {
            bail!("image-data and image-len disagree");
        }
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut record = Record {
            adapter_version: "0.1.0".into(),
            memory: 1,
            image_base: 5,
            image_len_global: 6,
            image_offset: 17 << 16,
            image_len: 1234,
            image_data: Some(3),
            virtualized: vec!["fd_prestat_get".into(), "fd_write".into()],
        };
        assert_eq!(Record::decode(record.encode().as_bytes()).unwrap(), record);
        (record.image_len, record.image_data, record.virtualized) = (0, None, Vec::new());
        assert_eq!(Record::decode(record.encode().as_bytes()).unwrap(), record);
    }

    #[test]
    fn rejects_other_formats() {
        let message = |text: &str| Record::decode(text.as_bytes()).unwrap_err().to_string();
        assert!(message("strata-wrap 2\n").contains("format"));
        assert!(message("hello").contains("does not start with"));
        assert!(message("strata-wrap 1\nadapter-version 1\n").contains("no adapter-memory line"));
    }
}
