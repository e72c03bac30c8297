//! Types that are valid by construction, and the records the API returns.
//!
//! Nothing here knows about HTTP or SQL: the `api` layer parses input into these types and the
//! `store` layer builds the records from rows.

mod filters;
mod input;
mod records;
mod revisions;
mod units;
mod values;

pub use filters::*;
pub use input::{
    AppearanceInput, AssessmentInput, ClaimInput, ClaimantInput, FieldProblem, MAX_ITEMS, MAX_TEXT,
    QuantityInput, SourceInput, TermInput, etag_of, gzip_etag, parse_timestamp,
};
pub use records::*;
pub use revisions::{FigureMove, Stated, revision_steps};
pub use units::{Measure, Unit};
pub use values::*;
