use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The robot's languages. Vietnamese is the default: the centre is in Hanoi.
///
/// Serialized as `vi` / `en` (the `/dialog/language` values and the parameter files' values).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Vietnamese.
    #[default]
    Vi,
    /// English.
    En,
}

/// A language code that is neither Vietnamese nor English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {code:?} (expected \"vi\" or \"en\")")]
pub struct UnknownLang {
    /// The code given (at most 32 characters of it).
    pub code: String,
}

impl Lang {
    /// Both languages, Vietnamese first.
    pub const ALL: [Lang; 2] = [Lang::Vi, Lang::En];

    /// The ISO 639-1 code: `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Exactly `vi` or `en` (the `/dialog/language` values); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Lenient: any case, surrounding blanks, and the common locale and ISO 639-2 forms
/// (`vi-VN`, `vi_vn`, `vie`, `en-US`, `en_us`, `en-GB`, `eng`).
impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vi-vn" | "vi_vn" | "vie" => Ok(Lang::Vi),
            "en" | "en-us" | "en_us" | "en-gb" | "eng" => Ok(Lang::En),
            _ => Err(UnknownLang {
                code: s.chars().take(32).collect(),
            }),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_the_default_is_vietnamese() {
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
            assert_eq!(l.code().parse::<Lang>().unwrap(), l);
            assert_eq!(l.to_string(), l.code());
        }
        assert_eq!(Lang::default(), Lang::Vi);
        assert_eq!(Lang::parse("VI"), None);
        assert_eq!(" vi-VN ".parse::<Lang>().unwrap(), Lang::Vi);
        assert_eq!("eng".parse::<Lang>().unwrap(), Lang::En);
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn serde_uses_the_codes() {
        assert_eq!(serde_yaml::to_string(&Lang::En).unwrap().trim(), "en");
        assert_eq!(serde_yaml::from_str::<Lang>("vi").unwrap(), Lang::Vi);
        assert!(serde_yaml::from_str::<Lang>("Vietnamese").is_err());
    }
}
