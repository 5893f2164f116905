//! The language a report speaks to the student. The course is taught in
//! Chinese and its homework is graded by people who may read English only,
//! so every sentence a reporter writes for a person exists in both, and the
//! choice is the reader's: the command line, else the locale their terminal
//! already says (`LANG=zh_CN.UTF-8`). Tools get both at once (the JSON
//! report carries `{en, zh}`), so nothing here affects them.

use std::fmt;
use std::str::FromStr;

/// The language of the sentences a report writes for people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese, the language of the course notes.
    Zh,
}

impl Lang {
    /// The language of the user's locale: the first of LC_ALL, LC_MESSAGES
    /// and LANG that is set and not empty (POSIX's order); `zh*` is
    /// Chinese, anything else (or nothing) English.
    pub fn from_env() -> Lang {
        let var = |name| std::env::var(name).ok();
        Lang::from_locale_vars(var("LC_ALL"), var("LC_MESSAGES"), var("LANG"))
    }

    /// [`Lang::from_env`] without the environment, so it can be tested.
    fn from_locale_vars(
        lc_all: Option<String>,
        lc_messages: Option<String>,
        lang: Option<String>,
    ) -> Lang {
        [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .map_or(Lang::En, |v| Lang::from_locale(&v))
    }

    /// The language of one locale name: `zh_CN.UTF-8`, `zh_TW`, `zh` are
    /// Chinese; `C`, `POSIX`, `en_US.UTF-8` and the rest English.
    pub fn from_locale(locale: &str) -> Lang {
        if locale
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("zh"))
        {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// `en` or `zh`, as `--lang` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Whether this is Chinese (the argument [`sockspec_model::Localized::get`] takes).
    pub fn is_zh(self) -> bool {
        self == Lang::Zh
    }

    /// `en` in English, `zh` in Chinese.
    pub fn pick<T>(self, en: T, zh: T) -> T {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--lang` value that names no language sockspec speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLangError(String);

impl fmt::Display for ParseLangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown language {:?}: sockspec speaks en (English) and zh (中文)",
            self.0
        )
    }
}

impl std::error::Error for ParseLangError {}

impl FromStr for Lang {
    type Err = ParseLangError;

    /// `en`, `zh`, or a locale name of either (`zh_CN.UTF-8`, `en-US`).
    fn from_str(s: &str) -> Result<Lang, ParseLangError> {
        let lower = s.trim().to_ascii_lowercase();
        let base = lower.split(['_', '-', '.']).next().unwrap_or("");
        match base {
            "en" | "english" => Ok(Lang::En),
            "zh" | "chinese" | "cn" => Ok(Lang::Zh),
            _ => Err(ParseLangError(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(all: Option<&str>, messages: Option<&str>, lang: Option<&str>) -> Lang {
        let own = |v: Option<&str>| v.map(str::to_owned);
        Lang::from_locale_vars(own(all), own(messages), own(lang))
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        assert_eq!(vars(None, None, None), Lang::En);
        assert_eq!(vars(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(vars(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(vars(Some("C"), None, Some("zh_CN.UTF-8")), Lang::En);
        assert_eq!(vars(None, Some("zh_TW"), Some("en_US")), Lang::Zh);
        assert_eq!(
            vars(Some(""), None, Some("zh_CN")),
            Lang::Zh,
            "an empty variable is unset"
        );
        assert_eq!(Lang::from_locale("POSIX"), Lang::En);
        assert_eq!(Lang::from_locale("z"), Lang::En);
    }

    #[test]
    fn lang_parses_names_and_locales() {
        assert_eq!("en".parse(), Ok(Lang::En));
        assert_eq!("zh".parse(), Ok(Lang::Zh));
        assert_eq!("zh_CN.UTF-8".parse(), Ok(Lang::Zh));
        assert_eq!("ZH-cn".parse(), Ok(Lang::Zh));
        assert_eq!("en-US".parse(), Ok(Lang::En));
        let err = "fr".parse::<Lang>().unwrap_err();
        assert!(err.to_string().contains("en (English) and zh"), "{err}");
        assert_eq!(Lang::Zh.to_string(), "zh");
        assert_eq!(Lang::default(), Lang::En);
    }
}
