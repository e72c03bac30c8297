//! Units of measure: each stated unit belongs to one dimension and converts to that dimension's
//! SI unit by a factor. No crate fits this (the units are those claims are written in, Chinese
//! ones among them, and money), so it is a table.

use super::{Dimension, InvalidValue};

/// A unit as a claim states it, and how it converts to its dimension's SI unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit {
    pub symbol: &'static str,
    pub dimension: Dimension,
    /// Multiply a value in this unit by `factor` to get it in `si_unit`.
    pub factor: f64,
}

const UNITS: &[(&[&str], Dimension, f64)] = &[
    (&["W", "瓦"], Dimension::Power, 1.0),
    (&["kW", "千瓦"], Dimension::Power, 1e3),
    (&["MW", "兆瓦"], Dimension::Power, 1e6),
    (&["万千瓦"], Dimension::Power, 1e7),
    (&["GW", "吉瓦"], Dimension::Power, 1e9),
    (&["亿千瓦"], Dimension::Power, 1e11),
    (&["TW", "太瓦"], Dimension::Power, 1e12),
    (&["Wh", "瓦时"], Dimension::Energy, 1.0),
    (&["kWh", "千瓦时", "度"], Dimension::Energy, 1e3),
    (&["MWh", "兆瓦时"], Dimension::Energy, 1e6),
    (&["万千瓦时"], Dimension::Energy, 1e7),
    (&["GWh", "吉瓦时"], Dimension::Energy, 1e9),
    (&["亿千瓦时"], Dimension::Energy, 1e11),
    (&["TWh", "太瓦时"], Dimension::Energy, 1e12),
    (&["万亿千瓦时"], Dimension::Energy, 1e15),
    (&["x", "×", "倍"], Dimension::Ratio, 1.0),
    (&["%"], Dimension::Percent, 1.0),
    (&["USD"], Dimension::Money, 1.0),
    (&["kUSD"], Dimension::Money, 1e3),
    (&["MUSD"], Dimension::Money, 1e6),
    (&["bnUSD"], Dimension::Money, 1e9),
    (&["tnUSD"], Dimension::Money, 1e12),
];

/// A value with its unit, as a filter states it: `45GW`, `45000 MW`, `4.5e10W`, `47吉瓦`,
/// `10.4万亿千瓦时`, `3x`, `19%`, `100bn USD`, `$100bn`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub value: f64,
    pub unit: Unit,
}

impl Measure {
    pub fn parse(s: &str) -> Result<Measure, InvalidValue> {
        let s = s.trim();
        let (s, dollars) = match s.strip_prefix('$') {
            Some(rest) => (rest, true),
            None => (
                s.strip_prefix("USD").map(str::trim_start).unwrap_or(s),
                s.starts_with("USD"),
            ),
        };
        let split = number_prefix_len(s);
        let (number, unit) = s.split_at(split);
        let value: f64 = number.parse().map_err(|_| {
            InvalidValue(format!(
                "{s:?} must be a number followed by its unit, such as 45GW, 45000MW or 4.5e10W"
            ))
        })?;
        // `number` is digits, so the value is never NaN; one too large for a double is infinite,
        // which as a bound is exact: beyond every stored figure (they are at most 1e100 SI).
        let unit: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
        // Money is written $100bn or USD 100bn as well as 100bn USD.
        let unit = if dollars { format!("{unit}USD") } else { unit };
        if unit.is_empty() {
            return Err(InvalidValue(format!(
                "{s:?} has no unit; write it with one, such as 45GW"
            )));
        }
        Ok(Measure {
            value,
            unit: Unit::parse(&unit)?,
        })
    }

    /// The value in its dimension's SI unit.
    pub fn si(self) -> f64 {
        self.unit.to_si(self.value)
    }
}

/// Length of the number at the start of `s`: sign, digits, a fraction, an exponent.
fn number_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    i = digits(i);
    if i < b.len() && b[i] == b'.' {
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    i
}

impl Unit {
    /// The regular expression of every symbol `parse` takes, for the document.
    pub fn pattern() -> String {
        let symbols: Vec<String> = UNITS
            .iter()
            .flat_map(|(symbols, _, _)| symbols.iter().map(|s| regex::escape(s)))
            .collect();
        format!("^({})$", symbols.join("|"))
    }

    pub fn parse(s: &str) -> Result<Unit, InvalidValue> {
        UNITS
            .iter()
            .find_map(|(symbols, dimension, factor)| {
                symbols.iter().find(|sym| **sym == s).map(|sym| Unit {
                    symbol: sym,
                    dimension: *dimension,
                    factor: *factor,
                })
            })
            .ok_or_else(|| {
                InvalidValue(format!(
                    "\"{s}\" is not a known unit; use one of W, kW, MW, GW, TW, Wh, kWh, MWh, GWh, TWh, x, %, USD (or 千瓦, 万千瓦, 吉瓦, 千瓦时, 度, 亿千瓦时, 倍 …)"
                ))
            })
    }

    pub fn to_si(self, value: f64) -> f64 {
        value * self.factor
    }
}

impl Dimension {
    /// The unit every quantity of this dimension is normalised to.
    pub fn si_unit(self) -> &'static str {
        match self {
            Dimension::Power => "W",
            Dimension::Energy => "Wh",
            Dimension::Ratio => "x",
            Dimension::Percent => "%",
            Dimension::Money => "USD",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_normalise_to_si() {
        let cases = [
            ("GW", 400.0, Dimension::Power, 4e11),
            ("吉瓦", 47.0, Dimension::Power, 4.7e10),
            ("万千瓦", 1.0, Dimension::Power, 1e7),
            ("MW", 40_000.0, Dimension::Power, 4e10),
            ("TWh", 10_087.0, Dimension::Energy, 1.0087e16),
            ("万亿千瓦时", 10.4, Dimension::Energy, 1.04e16),
            ("度", 1.0, Dimension::Energy, 1e3),
            ("x", 3.0, Dimension::Ratio, 3.0),
            ("倍", 3.0, Dimension::Ratio, 3.0),
            ("%", 26.0, Dimension::Percent, 26.0),
        ];
        for (symbol, value, dimension, si) in cases {
            let unit = Unit::parse(symbol).unwrap();
            assert_eq!(unit.dimension, dimension, "{symbol}");
            let got = unit.to_si(value);
            assert!(
                (got - si).abs() <= si.abs() * 1e-12,
                "{symbol}: {got} != {si}"
            );
        }
    }

    #[test]
    fn measures_parse_value_and_unit() {
        let cases = [
            ("45GW", 4.5e10),
            ("45000MW", 4.5e10),
            ("45000 MW", 4.5e10),
            ("4.5e10W", 4.5e10),
            ("4.5E+10 W", 4.5e10),
            ("47吉瓦", 4.7e10),
            ("4700万千瓦", 4.7e10),
            ("10.4万亿千瓦时", 1.04e16),
            ("4244TWh", 4.244e15),
            ("3x", 3.0),
            ("3倍", 3.0),
            ("19%", 19.0),
            ("100bn USD", 1e11),
            ("100bnUSD", 1e11),
            ("$100bn", 1e11),
            ("USD 2.5tn", 2.5e12),
            ("-3GW", -3e9),
        ];
        for (text, si) in cases {
            let m = Measure::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(
                (m.si() - si).abs() <= si.abs() * 1e-12,
                "{text}: {} != {si}",
                m.si()
            );
        }
        assert_eq!(
            Measure::parse("45GWh").unwrap().unit.dimension,
            Dimension::Energy
        );
        // A bound beyond a double's range is beyond every figure.
        assert_eq!(Measure::parse("1e999GW").unwrap().si(), f64::INFINITY);
        assert_eq!(Measure::parse("-1e999GW").unwrap().si(), f64::NEG_INFINITY);
    }

    #[test]
    fn malformed_measures_are_refused() {
        for bad in [
            "",
            "GW",
            "45",
            "45 gigawatts",
            "4.5.1GW",
            "NaNGW",
            "inf W",
            "45GW45",
            "e10W",
        ] {
            assert!(Measure::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_units_are_refused() {
        for bad in ["gw", "", "GWs", "horsepower"] {
            assert!(Unit::parse(bad).is_err(), "{bad:?}");
        }
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// No text makes the parser panic, and what it accepts is a number.
        #[test]
        fn any_text_parses_or_is_refused(s in "\\PC{0,24}|[0-9.eE+-]{0,12}[a-zA-Z%$万亿千瓦时吉]{0,6}") {
            if let Ok(measure) = Measure::parse(&s) {
                prop_assert!(!measure.value.is_nan(), "{s:?} → {measure:?}");
                prop_assert!(!measure.si().is_nan(), "{s:?} → {measure:?}");
            }
        }

        /// A number written with a unit parses to that number in that unit.
        #[test]
        fn numbers_with_units_round_trip(
            value in 0.0f64..1e12,
            unit in prop::sample::select(vec!["GW", "MW", "kW", "W", "TWh", "%", "x"]),
        ) {
            let measure = Measure::parse(&format!("{value}{unit}")).unwrap();
            prop_assert_eq!(measure.value, value);
            prop_assert_eq!(measure.unit, Unit::parse(unit).unwrap());
        }
    }
}
