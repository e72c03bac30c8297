//! List envelopes (`{"data": [...], "next_cursor": ...}`) and the `Link` header.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use std::collections::BTreeMap;
use std::future::Future;

use super::error::ApiError;
use super::formats::{self, CsvLayout, Format, json_ld_list, negotiate};
use super::params::{Cursor, Paging};
use crate::domain::{
    Appearance, Assessment, Claim, Claimant, Estimate, Indicator, RevisionStep, Source, Topic,
};
use crate::store::history::HistoryEntry;
use crate::store::{ClaimDocument, Keyset, Named, Page, Store, name_languages};

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
/// A page of claims as stored: [`ClaimList`]'s JSON, made of documents sent as stored.
#[derive(Debug, Serialize)]
pub struct StoredClaimList {
    data: Vec<ClaimDocument>,
    next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<i64>,
}

impl From<(Vec<ClaimDocument>, Option<String>, Option<i64>)> for StoredClaimList {
    fn from((data, next_cursor, total): (Vec<ClaimDocument>, Option<String>, Option<i64>)) -> Self {
        StoredClaimList {
            data,
            next_cursor,
            total,
        }
    }
}

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
paged_list!(
    /// A page of a claim's history, newest first.
    HistoryList of HistoryEntry
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
        response.insert_header((header::LINK, next_link(req, cursor)));
    }
    response.json(L::from((page.items, next_cursor, page.total)))
}

/// Renders a page as a JSON-LD `ItemList` of `node(item)`, with the same `Link` header.
pub fn page_json_ld<T>(
    req: &HttpRequest,
    list: &str,
    page: &Page<T>,
    node: impl Fn(&T) -> Value,
) -> HttpResponse {
    let mut response = json_ld_list(page.items.iter().map(node).collect());
    if let Some(keyset) = &page.next {
        let link = next_link(req, &Cursor::encode(list, keyset));
        if let Ok(value) = header::HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

/// A `Link` to the request's own path and query with `cursor` replaced.
fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if key != "cursor" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("<{}?{}>; rel=\"next\"", req.path(), query.finish())
}

/// Answers a list endpoint in the format asked for: a page as JSON or JSON-LD (`node` maps an
/// item to JSON-LD; without it JSON-LD is not offered), or every match as streamed CSV or
/// NDJSON. `fetch(after, limit, with_total)` reads a page. `names` is the kind of record whose name
/// languages become CSV columns.
pub async fn respond<T, L, F, Fut>(
    req: &HttpRequest,
    store: &Store,
    list: &str,
    paging: Paging,
    names: Option<Named>,
    node: Option<fn(&T) -> Value>,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + 'static,
    L: From<(Vec<T>, Option<String>, Option<i64>)> + Serialize,
    F: Fn(Option<Keyset>, u32, bool) -> Fut + 'static,
    Fut: Future<Output = Result<Page<T>, crate::store::Error>> + 'static,
{
    let supported = if node.is_some() {
        formats::ALL
    } else {
        formats::TABULAR
    };
    let format = negotiate(req, paging.format, supported)?;
    if format.streams() {
        let mut languages = BTreeMap::new();
        if let Some(named) = names {
            languages.insert("names".to_owned(), name_languages(store, named).await?);
        }
        let layout = CsvLayout::new(languages);
        return formats::stream(format, paging.page.after, layout, move |after, limit| {
            fetch(after, limit, false)
        })
        .await;
    }
    let page = fetch(paging.page.after, paging.page.limit, paging.count).await?;
    Ok(match (format, node) {
        (Format::JsonLd, Some(node)) => page_json_ld(req, list, &page, node),
        _ => page_response::<T, L>(req, list, page),
    })
}
