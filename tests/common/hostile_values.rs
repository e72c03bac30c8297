//! Shared by the test binaries (included with `#[path]`): hostile values for path segments and
//! query parameters.

/// Values that go into every path segment and query parameter, already percent-encoded where
/// they must be.
pub const HOSTILE_VALUES: &[&str] = &[
    "%27%20OR%20%271%27%3D%271",
    "1%3B%20DROP%20TABLE%20claims%3B--",
    "%22%20OR%20x%20MATCH%20%22*",
    "NEAR(a%20b)",
    "text%3A%20power%20AND%20*",
    "%00",
    "a%00b",
    "%FF%FE",
    "%C3%28",
    "%ED%A0%80",
    "-1",
    "-9223372036854775809",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "",
    "%20",
    "%7B%22a%22%3A1%7D",
    "%F0%9F%92%A9%F0%9F%92%A9",
    "%E2%80%AE",
    "..%2F..%2Fetc%2Fpasswd",
    "%25%25%25",
];
