use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;
use utoipa::ToSchema;

/// Declares a closed set of lowercase string values: one enum with its wire name for each variant,
/// `as_str`, `FromStr` and the list of accepted values for error messages.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        // The wire names are the variants in snake_case, which `$text` repeats for `as_str`;
        // a test checks the two agree. (utoipa does not see a `rename` passed through a macro.)
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The accepted values, for error messages: `"a", "b", "c"`.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| format!("\"{}\"", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(InvalidValue(format!("must be one of {}", Self::expected()))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Why a value was refused, phrased to follow the field name: "stated_since must be …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

string_enum! {
    /// What kind of statement a claim is.
    ClaimKind {
        /// A statement about the future, usually with a horizon.
        Prediction = "prediction",
        /// A figure the claimant puts on something.
        Estimate = "estimate",
        /// A statement of fact.
        Assertion = "assertion",
        /// A judgement.
        Opinion = "opinion",
        /// A call for someone to act.
        Recommendation = "recommendation",
    }
}

string_enum! {
    /// How a claim has held up, from its latest assessment (`pending` when it has none).
    ClaimStatus {
        Pending = "pending",
        Correct = "correct",
        Incorrect = "incorrect",
        PartlyCorrect = "partly_correct",
        Unresolvable = "unresolvable",
        NotApplicable = "not_applicable",
    }
}

string_enum! {
    /// Whether a claimant is a person or an organization.
    ClaimantKind {
        Person = "person",
        Organization = "organization",
    }
}

string_enum! {
    /// What kind of document a source is.
    SourceKind {
        Podcast = "podcast",
        Article = "article",
        Report = "report",
        Interview = "interview",
        Statement = "statement",
        Letter = "letter",
        BlogPost = "blog_post",
        SocialPost = "social_post",
    }
}

string_enum! {
    /// How an appearance renders the claim.
    AppearanceKind {
        /// The claimant's own words, quoted.
        Verbatim = "verbatim",
        /// The outlet's own words for what the claimant said.
        Paraphrase = "paraphrase",
        /// The claimant's words in another language.
        Translation = "translation",
    }
}

string_enum! {
    /// How faithfully an appearance renders the claim.
    Fidelity {
        /// Says what the claimant said.
        Faithful = "faithful",
        /// Other words, or a changed qualifier ("about" became "nearly"), with the meaning mostly kept.
        Reworded = "reworded",
        /// A translation that changed the meaning (electricity became computing power).
        Mistranslated = "mistranslated",
        /// A paraphrase printed as a direct quote.
        Hardened = "hardened",
    }
}

string_enum! {
    /// How a source was checked, as Wikidata's references say how a statement is known.
    Verification {
        /// The document itself was read and the quotes confirmed in it.
        Verified = "verified",
        /// Known only through sources that cite it (a research note behind a paywall).
        Secondary = "secondary",
        /// A lead nobody could confirm: neither the document nor a source that cites it.
        Unverified = "unverified",
    }
}

string_enum! {
    /// What a claim's evidence rests on: the best-checked source among those it appears in.
    EvidenceLevel {
        /// At least one appearance in a verified source.
        Verified = "verified",
        /// No verified source, but at least one known through the sources that cite it.
        Secondary = "secondary",
        /// Only sources whose check nobody recorded (and perhaps unverified ones).
        Unrecorded = "unrecorded",
        /// Only unverified sources: a lead, not a fact. Default listings leave such claims out.
        Unverified = "unverified",
        /// No appearance in any source.
        None = "none",
    }
}

string_enum! {
    /// Which way a revision moved a figure.
    RevisionDirection {
        Up = "up",
        Down = "down",
        Unchanged = "unchanged",
    }
}

string_enum! {
    /// Which claims a listing holds, by what their evidence rests on.
    EvidenceFilter {
        /// At least one appearance in a verified source.
        Verified = "verified",
        /// At least one appearance in a verified or secondary source.
        Secondary = "secondary",
        /// Only the claims resting only on unverified sources.
        Unverified = "unverified",
        /// Every claim, those resting only on unverified sources included.
        Any = "any",
    }
}

string_enum! {
    /// How much of a date is known: `month` means only the year and month are, and the day is 1.
    DatePrecision {
        Day = "day",
        Month = "month",
        Year = "year",
    }
}

string_enum! {
    /// What an indicator measures, which fixes the units its quantities may use.
    Dimension {
        /// Watts (W, kW, MW, GW, TW).
        Power = "power",
        /// Watt-hours (Wh, kWh, MWh, GWh, TWh).
        Energy = "energy",
        /// A plain ratio (`x`).
        Ratio = "ratio",
        /// A percentage (`%`).
        Percent = "percent",
        /// US dollars.
        Money = "money",
    }
}

string_enum! {
    /// How the claimant qualified a figure.
    Qualifier {
        About = "about",
        MoreThan = "more_than",
        LessThan = "less_than",
        UpTo = "up_to",
        AtLeast = "at_least",
        Exactly = "exactly",
    }
}

string_enum! {
    /// Where a search hit matched.
    MatchedIn {
        /// The claim's own text, in any language.
        Text = "text",
        /// An appearance's quote or note.
        Quote = "quote",
        /// The claimant's names and aliases.
        Claimant = "claimant",
    }
}

string_enum! {
    /// A kind of record whose writes the history keeps.
    HistoryResource {
        Claim = "claim",
        Appearance = "appearance",
        Assessment = "assessment",
        Claimant = "claimant",
        Source = "source",
        Topic = "topic",
        Indicator = "indicator",
    }
}

string_enum! {
    /// A related record that `expand` embeds in a claim instead of summarising it.
    Expansion {
        Appearances = "appearances",
        Assessments = "assessments",
        Sources = "sources",
    }
}

/// What a resource id matches (with at most [`SLUG_MAX`] characters); `Slug::parse` checks the same.
pub const SLUG_PATTERN: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
pub const SLUG_MAX: usize = 100;

/// What a language tag matches: RFC 5646's `langtag` production (language with up to three
/// extlangs, script, region, variants, extensions, private use), letters in either case.
/// Grandfathered tags and tags that are only private use (`x-…`) are not accepted: a claim's
/// language is a real one. `LanguageTag::parse` checks this pattern, then normalises the case.
pub const LANGUAGE_TAG_PATTERN: &str = concat!(
    r"^([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})",
    r"(-[A-Za-z]{4})?",
    r"(-([A-Za-z]{2}|[0-9]{3}))?",
    r"(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*",
    r"(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*",
    r"(-[Xx](-[A-Za-z0-9]{1,8})+)?$",
);

/// A string schema with a pattern, for the types below that the document shows as strings.
fn string_schema(
    pattern: &str,
    max_length: Option<usize>,
    description: &str,
    example: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .min_length(Some(1))
        .max_length(max_length)
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}

/// A resource id: 1 to 100 lowercase ASCII letters and digits in words joined by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl utoipa::PartialSchema for Slug {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            SLUG_PATTERN,
            Some(SLUG_MAX),
            "An id: 1 to 100 lowercase letters and digits in words joined by single hyphens.",
            "musk-electricity-limiting-factor",
        )
    }
}

impl ToSchema for Slug {}

impl Slug {
    pub fn parse(s: &str) -> Result<Slug, InvalidValue> {
        let well_formed = !s.is_empty()
            && s.len() <= SLUG_MAX
            && s.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Slug(s.to_owned()))
        } else {
            Err(InvalidValue(
                "must be 1 to 100 lowercase letters and digits in words joined by single hyphens"
                    .into(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A BCP 47 language tag in its canonical case (`zh-CN`, `zh-Hant-TW`, `en`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageTag(String);

impl utoipa::PartialSchema for LanguageTag {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(
            LANGUAGE_TAG_PATTERN,
            None,
            "A BCP 47 language tag (RFC 5646 `langtag`), such as `zh-CN`, `zh-Hant-TW` or `en`; \
             any letter case, shown normalised.",
            "zh-CN",
        )
    }
}

impl ToSchema for LanguageTag {}

impl LanguageTag {
    pub fn parse(s: &str) -> Result<LanguageTag, InvalidValue> {
        static WELL_FORMED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(LANGUAGE_TAG_PATTERN).expect("the language tag pattern compiles")
        });
        let invalid = |why: &dyn fmt::Display| {
            InvalidValue(format!(
                "must be a BCP 47 language tag such as \"zh-CN\" or \"en\" ({why})"
            ))
        };
        if !WELL_FORMED.is_match(s) {
            return Err(invalid(
                &"RFC 5646 langtag: language, then optional script, region, \
                 variants, extensions and private use, each subtag 1 to 8 letters or digits",
            ));
        }
        oxilangtag::LanguageTag::parse_and_normalize(s)
            .map(|tag| LanguageTag(tag.into_inner()))
            .map_err(|e| invalid(&e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A calendar date, written `YYYY-MM-DD` (RFC 3339 `full-date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate(Date);

impl CalendarDate {
    /// Exactly `YYYY-MM-DD`: four digits of year, no sign (`-0001-01-01` would be stored as
    /// `-001-01-01`, which sorts and compares as no date does).
    pub fn parse(s: &str) -> Result<CalendarDate, InvalidValue> {
        let shaped = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        shaped
            .then(|| Date::parse(s, format_description!("[year]-[month]-[day]")).ok())
            .flatten()
            .map(CalendarDate)
            .ok_or_else(|| {
                InvalidValue("must be a date written YYYY-MM-DD, such as 2026-01-06".into())
            })
    }

    /// Whether the date says no more than `precision` knows: with `month` the day is 01, with
    /// `year` the date is January 1st.
    pub fn fits(self, precision: DatePrecision) -> bool {
        match precision {
            DatePrecision::Day => true,
            DatePrecision::Month => self.0.day() == 1,
            DatePrecision::Year => self.0.day() == 1 && self.0.ordinal() == 1,
        }
    }

    /// Today in UTC, by the system clock.
    pub fn today_utc() -> CalendarDate {
        CalendarDate(time::OffsetDateTime::now_utc().date())
    }

    /// The date `days` later (earlier when negative), held at the calendar's ends.
    pub fn plus_days(self, days: i64) -> CalendarDate {
        let shifted = time::Duration::days(days);
        CalendarDate(self.0.checked_add(shifted).unwrap_or(if days < 0 {
            Date::MIN
        } else {
            Date::MAX
        }))
    }

    /// The date as stored and shown, which also sorts correctly as text.
    pub fn to_iso(self) -> String {
        let d = self.0;
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }
}

/// A region: an ISO 3166-1 alpha-2 code, or `WORLD`.
pub fn parse_region(s: &str) -> Result<String, InvalidValue> {
    if s == "WORLD" || (s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())) {
        Ok(s.to_owned())
    } else {
        Err(InvalidValue(
            "must be an ISO 3166-1 alpha-2 code such as \"CN\", or \"WORLD\"".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_hyphens() {
        for ok in ["elon-musk", "a", "morgan-stanley-us-shortfall-47gw", "x1"] {
            assert!(Slug::parse(ok).is_ok(), "{ok}");
        }
        let long = "a".repeat(101);
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Elon",
            "马斯克",
            "a b",
            "a_b",
            long.as_str(),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn language_tags_are_validated_and_normalised() {
        assert_eq!(LanguageTag::parse("zh-cn").unwrap().as_str(), "zh-CN");
        assert_eq!(LanguageTag::parse("EN").unwrap().as_str(), "en");
        assert_eq!(
            LanguageTag::parse("zh-hant-tw").unwrap().as_str(),
            "zh-Hant-TW"
        );
        for ok in [
            "es-419",
            "zh-yue-HK",
            "sl-rozaj-biske",
            "en-US-u-ca-gregory",
            "de-x-ab",
        ] {
            assert!(LanguageTag::parse(ok).is_ok(), "{ok:?}");
        }
        // Grandfathered and private-use-only tags are well-formed BCP 47 but not languages a
        // claim is in; the pattern the document states refuses them like the server does.
        for bad in [
            "",
            "zh_CN",
            "chinese-simplified-x",
            "1x",
            "i-klingon",
            "en-GB-oed",
            "x-private",
            "en-a",
            "en-abcdefghi",
        ] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates_must_be_full_dates() {
        assert_eq!(
            CalendarDate::parse("2026-01-06").unwrap().to_iso(),
            "2026-01-06"
        );
        for bad in [
            "2026-1-6",
            "2026-02-30",
            "2026",
            "06/01/2026",
            "2026-01-06T00:00:00Z",
            "",
        ] {
            assert!(CalendarDate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn enums_round_trip_and_list_their_values() {
        for kind in ClaimKind::ALL {
            assert_eq!(kind.as_str().parse::<ClaimKind>().unwrap(), *kind);
        }
        let err = "guess".parse::<ClaimStatus>().unwrap_err();
        assert!(err.0.contains("\"partly_correct\""), "{err}");
    }

    /// `as_str` (used in SQL and messages) and serde (used on the wire and in the OpenAPI
    /// document) name every variant alike.
    fn assert_wire_names<T: Serialize + Copy>(all: &[T], as_str: fn(T) -> &'static str) {
        for v in all {
            assert_eq!(serde_json::to_value(v).unwrap(), as_str(*v));
        }
    }

    #[test]
    fn wire_names_agree_with_as_str() {
        assert_wire_names(ClaimKind::ALL, ClaimKind::as_str);
        assert_wire_names(ClaimStatus::ALL, ClaimStatus::as_str);
        assert_wire_names(ClaimantKind::ALL, ClaimantKind::as_str);
        assert_wire_names(SourceKind::ALL, SourceKind::as_str);
        assert_wire_names(AppearanceKind::ALL, AppearanceKind::as_str);
        assert_wire_names(Fidelity::ALL, Fidelity::as_str);
        assert_wire_names(Verification::ALL, Verification::as_str);
        assert_wire_names(EvidenceLevel::ALL, EvidenceLevel::as_str);
        assert_wire_names(EvidenceFilter::ALL, EvidenceFilter::as_str);
        assert_wire_names(RevisionDirection::ALL, RevisionDirection::as_str);
        assert_wire_names(DatePrecision::ALL, DatePrecision::as_str);
        assert_wire_names(Dimension::ALL, Dimension::as_str);
        assert_wire_names(Qualifier::ALL, Qualifier::as_str);
        assert_wire_names(MatchedIn::ALL, MatchedIn::as_str);
        assert_wire_names(Expansion::ALL, Expansion::as_str);
    }

    #[test]
    fn regions_are_alpha_2_or_world() {
        assert!(parse_region("CN").is_ok());
        assert!(parse_region("WORLD").is_ok());
        for bad in ["cn", "CHN", "", "World"] {
            assert!(parse_region(bad).is_err(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every tag the document's pattern allows is one the server accepts: `LanguageTag::parse`
        /// checks the pattern first, so this is what keeps oxilangtag from refusing more.
        #[test]
        fn every_tag_the_pattern_allows_parses(
            tag in proptest::string::string_regex(
                LANGUAGE_TAG_PATTERN.trim_start_matches('^').trim_end_matches('$'),
            ).unwrap(),
        ) {
            prop_assert!(LanguageTag::parse(&tag).is_ok(), "{tag:?}");
        }

        /// The same for ids.
        #[test]
        fn every_id_the_pattern_allows_parses(
            id in proptest::string::string_regex(
                SLUG_PATTERN.trim_start_matches('^').trim_end_matches('$'),
            ).unwrap(),
        ) {
            prop_assert_eq!(Slug::parse(&id).is_ok(), id.len() <= SLUG_MAX, "{:?}", id);
        }
    }
}
