//! List envelopes (`{"data": [...], "next_cursor": ...}`) and the `Link` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::params::Cursor;
use crate::domain::{
    Appearance, Assessment, Claim, Claimant, Estimate, Indicator, RevisionStep, Source, Topic,
};
use crate::store::Page;

macro_rules! paged_list {
    ($(#[$meta:meta])* $name:ident of $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// This page's items.
            pub data: Vec<$item>,
            /// Pass as `cursor` to read the next page; null on the last page.
            #[schema(example = json!(null))]
            pub next_cursor: Option<String>,
            /// How many items the whole list holds; only with `count=true`.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(example = 20)]
            pub total: Option<i64>,
        }

        impl From<(Vec<$item>, Option<String>, Option<i64>)> for $name {
            fn from((data, next_cursor, total): (Vec<$item>, Option<String>, Option<i64>)) -> Self {
                $name { data, next_cursor, total }
            }
        }
    };
}

macro_rules! full_list {
    ($(#[$meta:meta])* $name:ident of $item:ty) => {
        $(#[$meta])*
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// Every item, in order.
            pub data: Vec<$item>,
        }
    };
}

paged_list!(
    /// A page of claims.
    ClaimList of Claim
);
paged_list!(
    /// A page of claimants.
    ClaimantList of Claimant
);
paged_list!(
    /// A page of sources.
    SourceList of Source
);
paged_list!(
    /// A page of topics.
    TopicList of Topic
);
paged_list!(
    /// A page of indicators.
    IndicatorList of Indicator
);
paged_list!(
    /// A page of an indicator's estimates, oldest first.
    EstimateList of Estimate
);
full_list!(
    /// A claim's appearances: the first appearance first, then by the source's date.
    AppearanceList of Appearance
);
full_list!(
    /// A claim's assessments, oldest first. The latest sets the claim's `status`.
    AssessmentList of Assessment
);
full_list!(
    /// A revision chain, oldest first.
    RevisionList of RevisionStep
);

/// Renders a page as the list type `L`, with `next_cursor` and a `Link: rel="next"` header that
/// repeats the request with the next cursor.
pub fn page_response<T, L>(req: &HttpRequest, list: &str, page: Page<T>) -> HttpResponse
where
    L: From<(Vec<T>, Option<String>, Option<i64>)> + Serialize,
{
    let next_cursor = page
        .next
        .as_ref()
        .map(|keyset| Cursor::encode(list, keyset));
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        response.insert_header((
            header::LINK,
            format!("<{}>; rel=\"next\"", next_link(req, cursor)),
        ));
    }
    response.json(L::from((page.items, next_cursor, page.total)))
}

/// The request's own path and query with `cursor` replaced.
fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}
