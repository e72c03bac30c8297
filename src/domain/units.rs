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
    (&["Wh"], Dimension::Energy, 1.0),
    (&["kWh", "千瓦时", "度"], Dimension::Energy, 1e3),
    (&["MWh"], Dimension::Energy, 1e6),
    (&["GWh"], Dimension::Energy, 1e9),
    (&["亿千瓦时"], Dimension::Energy, 1e11),
    (&["TWh"], Dimension::Energy, 1e12),
    (&["万亿千瓦时"], Dimension::Energy, 1e15),
    (&["x", "倍"], Dimension::Ratio, 1.0),
    (&["%"], Dimension::Percent, 1.0),
    (&["USD"], Dimension::Money, 1.0),
];

impl Unit {
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
                    "\"{s}\" is not a known unit; use one of W, kW, MW, GW, TW, Wh, kWh, MWh, GWh, TWh, x, %, USD"
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
    fn unknown_units_are_refused() {
        for bad in ["gw", "", "GWs", "horsepower"] {
            assert!(Unit::parse(bad).is_err(), "{bad:?}");
        }
    }
}
