//! The lessons shipped with iamtrace, kept as files under `assets/lessons/` and built
//! into the binary so that `iamtrace learn` works from anywhere.

/// A built-in lesson file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinLesson {
    /// Its file name under `assets/lessons/`.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

macro_rules! lessons {
    ($($name:literal),* $(,)?) => {
        &[$(BuiltinLesson {
            file: concat!($name, ".json"),
            text: include_str!(concat!("../../assets/lessons/", $name, ".json")),
        }),*]
    };
}

/// The built-in lessons, in the order they are taken (the number of a lesson is its
/// position here, from 1, and the prefix of its file name).
pub const LESSONS: &[BuiltinLesson] = lessons![
    "01-allow-and-deny",
    "02-and-or",
    "03-missing-keys",
    "04-forallvalues-foranyvalue",
    "05-multivalued-keys",
    "06-policy-variables",
    "07-notaction-notresource-deny",
    "08-resource-policies-cross-account",
    "09-permissions-boundaries",
    "10-scps",
    "11-calls-on-your-behalf",
    "12-client-vpn-guardrail",
    "13-mixed-exercise",
];

/// Each built-in lesson's title (its file name when it does not load), read once: the
/// TUI's list draws them on every frame.
pub fn titles() -> &'static [String] {
    static TITLES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        LESSONS
            .iter()
            .map(|l| super::load_lesson(l.text).map_or_else(|_| l.file.to_string(), |x| x.title))
            .collect()
    })
}

/// The folder the built-in lessons are kept in, as their messages name them.
pub const DIR: &str = "assets/lessons";
