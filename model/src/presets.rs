//! Named platforms for `clefc --platform`: descriptions in the runtime's
//! own format (`model/presets/*.toml`), compiled in.

use crate::file;
use crate::platform::{Platform, PlatformError};
use std::path::Path;

/// The preset names, and their descriptions.
pub const PRESETS: [(&str, &str); 4] = [
    ("workstation", include_str!("../presets/workstation.toml")),
    (
        "datacenter-cxl2",
        include_str!("../presets/datacenter-cxl2.toml"),
    ),
    (
        "datacenter-cxl3",
        include_str!("../presets/datacenter-cxl3.toml"),
    ),
    ("edge", include_str!("../presets/edge.toml")),
];

impl Platform {
    /// A preset by name.
    pub fn preset(name: &str) -> Option<Platform> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
        let platform: Platform = toml::from_str(text).expect("presets are valid descriptions");
        file::validate(&platform).expect("presets are valid machines");
        Some(platform)
    }

    /// `--platform` as a user writes it: `auto` (`None`: decide on the
    /// machine that runs the program), a preset name, or a description file.
    pub fn from_argument(arg: &str) -> Result<Option<Platform>, PlatformError> {
        if arg == "auto" {
            return Ok(None);
        }
        if let Some(p) = Platform::preset(arg) {
            return Ok(Some(p));
        }
        let path = Path::new(arg);
        if !path.exists() {
            let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            return Err(PlatformError::Invalid(format!(
                "`{arg}` is neither a preset ({}, or auto) nor a platform description file",
                names.join(", ")
            )));
        }
        Platform::load_file(path).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads() {
        for (name, _) in PRESETS {
            let p = Platform::preset(name).expect("preset");
            assert_eq!(p.source, format!("preset:{name}"));
        }
        let cxl3 = Platform::preset("datacenter-cxl3").unwrap();
        assert!(cxl3.coherent_cxl_type2() && cxl3.has_far_memory() && cxl3.cxl_pooling);
        let edge = Platform::preset("edge").unwrap();
        assert!(edge.gpus.is_empty() && !edge.has_far_memory());
        assert!(Platform::from_argument("auto").unwrap().is_none());
        assert!(Platform::from_argument("nonsense").is_err());
    }
}
