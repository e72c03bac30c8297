use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{
    ApiError, BadRequest, InternalError, NotAcceptable, NotFound, NotModified, ProblemCode,
};
use super::formats::{self, CsvLayout, Format, negotiate, parse_format};
use super::linked_data;
use super::lists::{
    AppearanceList, AssessmentList, ClaimList, RevisionList, StoredClaimList, page_json_ld,
    page_response,
};
use super::params::{
    FieldErrors, FormatParams, ListParams, Query, QueryParams, parse_bool, parse_nonempty,
};
use crate::domain::{
    CalendarDate, Claim, ClaimFilter, ClaimKind, ClaimSort, ClaimStatus, EvidenceFilter, Expand,
    Expansion, InvalidValue, LanguageTag, Measure, parse_region, revision_steps,
};
use crate::search::SearchQuery;
use crate::store::{ClaimDocument, PageRequest, Store, claims, documents, taxonomy};

use super::auth::{Writer, guard_writes};
use super::body::JsonBody;
use super::params::NoParams;
use super::writes::{self, Target};
use crate::domain::ClaimBody;
use crate::service::Claims;
use actix_web::middleware::from_fn;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_claims)
        .service(get_claim)
        .service(list_claim_appearances)
        .service(list_claim_revisions)
        .service(list_claim_assessments)
        .service(create_claim)
        .service(update_claim)
        .service(delete_claim);
}

/// Query parameters of `GET /v1/claims`. Different parameters combine with AND; a parameter
/// given several times matches any of its values (OR).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListClaimsParams {
    /// Full-text search over claim texts (every language), appearance quotes and notes, and
    /// claimant names and aliases, in Chinese (simplified or traditional) and English.
    ///
    /// - Words must all match: `electricity chips`. English words match their stems
    ///   (`electric` finds *electricity*); Chinese matches any run of characters, one or more
    ///   (`电`, `电力`, `算力`), and 電力 finds 电力 and back.
    /// - `"exact phrase"`: the words next to each other: `"new oil"`.
    /// - `OR` between two terms matches either: `电力 OR electricity`.
    /// - `-term` excludes: `chips -huang`.
    ///
    /// Anything else is plain text: a quote left open runs to the end, and punctuation, emoji
    /// and search-engine operators are just characters. At most 4096 characters; an empty `q`
    /// is an error. Results come best match first (`sort=-relevance`) unless `sort` says
    /// otherwise, and each carries a `snippet`.
    #[param(value_type = Option<String>, example = "电力", min_length = 1, max_length = 4096, pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    q: Option<String>,
    /// Claimant id, alias or name in any language (`elon-musk`, `马斯克`, `Elon Musk`). Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["马斯克"]), pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    claimant: Vec<String>,
    /// Topic id. Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["electricity"]), pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    topic: Vec<String>,
    /// Kind of claim. Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<ClaimKind>>)]
    kind: Vec<String>,
    /// Status (from the latest assessment). Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<ClaimStatus>>)]
    status: Vec<String>,
    /// Source id: claims that appear in it or originate from it. Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["businessinsider-2026-01-07-musk-ai-compute"]), pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    source: Vec<String>,
    /// BCP 47 language of the claim's text or of an appearance (`zh`, `zh-CN`, `zh-Hant-TW`,
    /// `es-419`). A tag matches itself and the tags it is a prefix of (RFC 4647 basic
    /// filtering): `zh` matches `zh-CN`, `zh-TW` and `zh-HK`. Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<LanguageTag>>, inline, example = json!(["zh-TW"]))]
    lang: Vec<String>,
    /// Claims made on or after this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2025-11-01")]
    stated_since: Option<String>,
    /// Claims made on or before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2026-01-31")]
    stated_until: Option<String>,
    /// Forecasts due strictly before this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2027-01-01")]
    due_before: Option<String>,
    /// Forecasts due strictly after this date (YYYY-MM-DD).
    #[param(value_type = Option<String>, format = Date, example = "2025-12-31")]
    due_after: Option<String>,
    /// Claims with a figure of this indicator. Repeatable. `indicator`, `subject`, `value_min`
    /// and `value_max` must all hold for one and the same figure.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["datacenter-power-shortfall"]), pattern = "[^\\x09-\\x0D\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]")]
    indicator: Vec<String>,
    /// Claims with a figure about this region (ISO 3166-1 alpha-2, or `WORLD`). Repeatable.
    #[serde(default)]
    #[param(value_type = Option<Vec<String>>, example = json!(["US"]), pattern = "^([A-Z]{2}|WORLD)$")]
    subject: Vec<String>,
    /// Claims with a figure at least this large, written with its unit: `45GW`, `45000MW`,
    /// `4.5e10W`, `47吉瓦`, `10.4万亿千瓦时`, `3x`, `19%`, `100bn USD`. Values compare after
    /// conversion to SI, and only with figures of the same dimension; a unit of another
    /// dimension than `indicator` measures is an error. A number too large for a double is
    /// taken as infinite: beyond every figure.
    #[param(value_type = Option<String>, example = "45GW", pattern = "^[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)? ?(W|kW|MW|GW|TW|Wh|kWh|MWh|GWh|TWh|x|×|%|USD|kUSD|MUSD|bnUSD|tnUSD|bn USD|瓦|千瓦|兆瓦|万千瓦|吉瓦|亿千瓦|太瓦|瓦时|千瓦时|度|兆瓦时|万千瓦时|吉瓦时|亿千瓦时|太瓦时|万亿千瓦时|倍)$")]
    value_min: Option<String>,
    /// Claims with a figure at most this large, written as for `value_min`.
    #[param(value_type = Option<String>, example = "50000MW", pattern = "^[+-]?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)? ?(W|kW|MW|GW|TW|Wh|kWh|MWh|GWh|TWh|x|×|%|USD|kUSD|MUSD|bnUSD|tnUSD|bn USD|瓦|千瓦|兆瓦|万千瓦|吉瓦|亿千瓦|太瓦|瓦时|千瓦时|度|兆瓦时|万千瓦时|吉瓦时|亿千瓦时|太瓦时|万亿千瓦时|倍)$")]
    value_max: Option<String>,
    /// `true`: only the latest claim of each revision chain (claims never revised included).
    /// `false`: only claims that a later claim revises.
    #[param(value_type = Option<bool>)]
    current: Option<String>,
    /// What the claims' evidence must rest on (a claim's `evidence.rests_on`): `verified` (at
    /// least one appearance in a verified source), `secondary` (in a verified or secondary
    /// one), `unverified` (only the claims resting on unverified sources alone: leads, not
    /// facts), `any` (every claim). Without it, every claim but those resting on unverified
    /// sources alone, which no listing shows unless asked.
    #[param(value_type = Option<EvidenceFilter>, example = "verified")]
    evidence: Option<String>,
    /// Order: `-relevance` (best match first: each of the query's first eight terms scores 10
    /// in the claim's own text, 4 in a quote or the note, 2 in the claimant's names, 1 as a
    /// lone Chinese character; then newest; the default with `q`, and only with it), `-stated_on` (newest first, the default without `q`), `stated_on`, `-updated_at`,
    /// `updated_at`. Ties are broken by id.
    #[param(value_type = Option<String>, example = "-stated_on",
        pattern = "^(-relevance|-stated_on|stated_on|-updated_at|updated_at)$")]
    sort: Option<String>,
    /// Related records to embed: `appearances`, `assessments`, `sources`. Repeatable, or
    /// comma-separated.
    #[serde(default)]
    #[param(value_type = Option<Vec<Expansion>>, example = json!(["appearances"]))]
    expand: Vec<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page, as it was returned; empty for the first page.
    /// It is tied to the `sort`. A write between pages moves no other claim across them, in
    /// relevance order too.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z0-9_-]*$")]
    cursor: Option<String>,
    /// `true` adds `total`, the number of claims that match.
    #[param(value_type = Option<bool>, example = false)]
    count: Option<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`, `jsonld` (schema.org). A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson|jsonld)$", example = "csv")]
    format: Option<String>,
}

impl QueryParams for ListClaimsParams {
    const REPEATABLE: &'static [&'static str] = &[
        "claimant",
        "topic",
        "kind",
        "status",
        "source",
        "lang",
        "indicator",
        "subject",
        "expand",
    ];
}

/// Query parameters of the claim item endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpandParams {
    /// Related records to embed: `appearances`, `assessments`, `sources`. Repeatable, or
    /// comma-separated.
    #[serde(default)]
    #[param(value_type = Option<Vec<Expansion>>, example = json!(["appearances", "sources"]))]
    expand: Vec<String>,
    /// Representation, instead of the `Accept` header: `json` (the default), `csv` (UTF-8 with
    /// a BOM), `ndjson`, `jsonld` (schema.org). A list in `csv` or `ndjson` holds every match
    /// from `cursor` on, streamed, rather than one page.
    #[param(value_type = Option<String>, pattern = "^(json|csv|ndjson|jsonld)$", example = "csv")]
    format: Option<String>,
}

impl QueryParams for ExpandParams {
    const REPEATABLE: &'static [&'static str] = &["expand"];
}

/// The path of a claim.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClaimPath {
    /// The claim's id.
    #[param(example = "musk-china-ai-compute")]
    pub(super) id: String,
}

fn parse_expand(values: &[String], errors: &mut FieldErrors) -> Expand {
    let mut expand = Expand::default();
    for value in values.iter().flat_map(|v| v.split(',')) {
        match value.trim().parse::<Expansion>() {
            Ok(Expansion::Appearances) => expand.appearances = true,
            Ok(Expansion::Assessments) => expand.assessments = true,
            Ok(Expansion::Sources) => expand.sources = true,
            Err(e) => errors.push("expand", format!("{value:?} cannot be expanded; it {e}")),
        }
    }
    expand
}

fn parse_sort(s: &str) -> Result<ClaimSort, InvalidValue> {
    ClaimSort::parse(s).ok_or_else(|| {
        let options: Vec<&str> = ClaimSort::ALL.iter().map(|s| s.as_str()).collect();
        InvalidValue(format!("must be one of {}", options.join(", ")))
    })
}

/// List and search claims
///
/// Claims newest first, filtered by claimant (id, alias or name), topic, kind, status, source,
/// language, dates and revision state, a page at a time. With `q`, a full-text search in
/// Chinese and English, best match first, each hit with a highlighted `snippet`. Follow `next_cursor` (or the `Link`
/// header) to read on; pages stay stable while claims are added.
#[utoipa::path(
    tag = "claims",
    params(ListClaimsParams),
    responses(
        (status = 200, description = "A page of claims.",
            content(
                (ClaimList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(
                ("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."),
                ("Link" = String, description = "`<…>; rel=\"next\"`: the next page, when there is one.")
            )),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims")]
async fn list_claims(
    req: HttpRequest,
    store: web::Data<Store>,
    Query(params): Query<ListClaimsParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let search = errors.parse("q", params.q.as_deref(), SearchQuery::parse);
    let default_sort = if params.q.is_some() {
        ClaimSort::Relevance
    } else {
        ClaimSort::StatedOnDesc
    };
    let sort = errors
        .parse("sort", params.sort.as_deref(), parse_sort)
        .unwrap_or(default_sort);
    if sort == ClaimSort::Relevance && params.q.is_none() {
        errors.push("sort", "-relevance needs a search: give q too");
    }
    let filter = ClaimFilter {
        search,
        claimants: errors.parse_all("claimant", &params.claimant, parse_nonempty),
        topics: errors.parse_all("topic", &params.topic, parse_nonempty),
        kinds: errors.parse_all("kind", &params.kind, str::parse),
        statuses: errors.parse_all("status", &params.status, str::parse),
        sources: errors.parse_all("source", &params.source, parse_nonempty),
        langs: errors.parse_all("lang", &params.lang, LanguageTag::parse),
        stated_since: errors.parse(
            "stated_since",
            params.stated_since.as_deref(),
            CalendarDate::parse,
        ),
        stated_until: errors.parse(
            "stated_until",
            params.stated_until.as_deref(),
            CalendarDate::parse,
        ),
        due_before: errors.parse(
            "due_before",
            params.due_before.as_deref(),
            CalendarDate::parse,
        ),
        due_after: errors.parse(
            "due_after",
            params.due_after.as_deref(),
            CalendarDate::parse,
        ),
        current: errors.parse("current", params.current.as_deref(), parse_bool),
        indicators: errors.parse_all("indicator", &params.indicator, parse_nonempty),
        subjects: errors.parse_all("subject", &params.subject, parse_region),
        value_min: errors.parse("value_min", params.value_min.as_deref(), Measure::parse),
        value_max: errors.parse("value_max", params.value_max.as_deref(), Measure::parse),
        evidence: errors.parse("evidence", params.evidence.as_deref(), str::parse),
    };
    let expand = parse_expand(&params.expand, &mut errors);
    let list = format!("claims:{}", sort.as_str());
    let paging = ListParams {
        limit: params.limit,
        cursor: params.cursor,
        count: params.count,
        format: params.format,
    }
    .parse(&list, &mut errors);
    check_dimensions(&store, &filter, &mut errors).await?;
    errors.finish()?;
    let paging = paging?;
    if let Some(after) = &paging.page.after
        && !sort.takes_key(after.key.as_deref())
    {
        return Err(ApiError::InvalidCursor(
            "its position is not one this order can hold".into(),
        ));
    }

    let format = negotiate(&req, paging.format, formats::ALL)?;
    if format.streams() {
        let layout = CsvLayout::new(BTreeMap::from([(
            "text".to_owned(),
            claims::text_languages(&store).await?,
        )]))
        .with_object("horizon", HORIZON)
        .with_columns(if filter.search.is_some() {
            &["snippet", "snippet_lang", "matched_in"]
        } else {
            &[]
        });
        if expand == Expand::default() {
            return formats::stream(format, paging.page.after, layout, move |after, limit| {
                let (store, filter) = (store.clone(), filter.clone());
                async move {
                    let page = PageRequest { limit, after };
                    claims::list_documents(&store, &filter, sort, &page, false).await
                }
            })
            .await;
        }
        return formats::stream(format, paging.page.after, layout, move |after, limit| {
            let (store, filter) = (store.clone(), filter.clone());
            async move {
                let page = PageRequest { limit, after };
                claims::list(&store, &filter, sort, &page, false, expand).await
            }
        })
        .await;
    }
    if format == Format::Json && expand == Expand::default() {
        let page =
            claims::list_documents(&store, &filter, sort, &paging.page, paging.count).await?;
        return Ok(page_response::<ClaimDocument, StoredClaimList>(
            &req, &list, page,
        ));
    }
    // A JSON-LD claim carries its appearances, sources and reviews.
    let expand = if format == Format::JsonLd {
        Expand::ALL
    } else {
        expand
    };
    let page = claims::list(&store, &filter, sort, &paging.page, paging.count, expand).await?;
    Ok(match format {
        Format::JsonLd => page_json_ld(&req, &list, &page, linked_data::claim),
        _ => page_response::<Claim, ClaimList>(&req, &list, page),
    })
}

/// The CSV layout of a claim: a `text.<lang>` column for each language it is written in.
fn claim_layout<'a>(claims: impl IntoIterator<Item = &'a Claim>, prefix: &str) -> CsvLayout {
    let mut langs: Vec<String> = claims
        .into_iter()
        .flat_map(|c| c.text.keys().cloned())
        .collect();
    langs.sort();
    langs.dedup();
    let horizon = prefix.replace("text", "horizon");
    CsvLayout::new(BTreeMap::from([(prefix.to_owned(), langs)])).with_object(&horizon, HORIZON)
}

/// Claims as CSV, laid out as `GET /v1/claims?format=csv` lays them out.
pub fn claims_csv(claims: &[Claim]) -> Result<String, ApiError> {
    let mut layout = claim_layout(claims, "text");
    let mut out = String::new();
    for claim in claims {
        out.push_str(&layout.lines(claim)?);
    }
    Ok(out)
}

/// The columns of a claim's horizon.
const HORIZON: &[&str] = &["due_on", "precision"];

/// Refuses a value whose unit measures something else than the indicators filtered on.
async fn check_dimensions(
    store: &Store,
    filter: &ClaimFilter,
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    let bounds = [
        ("value_min", filter.value_min),
        ("value_max", filter.value_max),
    ];
    if filter.indicators.is_empty() || bounds.iter().all(|(_, b)| b.is_none()) {
        return Ok(());
    }
    let dimensions = taxonomy::dimensions(store, &filter.indicators).await?;
    for (field, bound) in bounds {
        let Some(measure) = bound else { continue };
        for (indicator, dimension) in &dimensions {
            if *dimension != measure.unit.dimension {
                errors.push(
                    field,
                    format!(
                        "is in {} ({}), but {indicator} measures {dimension}; use a unit of {dimension}",
                        measure.unit.symbol, measure.unit.dimension
                    ),
                );
            }
        }
    }
    Ok(())
}

fn claim_not_found(id: &str) -> ApiError {
    ApiError::not_found(ProblemCode::ClaimNotFound, "claim", id)
}

/// Get a claim
///
/// One claim with its texts, figures, topics and revision links. `expand` embeds its
/// appearances, assessments and sources.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ExpandParams),
    responses(
        (status = 200, description = "The claim.",
            content(
                (Claim = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}")]
async fn get_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Query(params): Query<ExpandParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let expand = parse_expand(&params.expand, &mut errors);
    let asked = errors.parse("format", params.format.as_deref(), parse_format);
    errors.finish()?;
    let format = negotiate(&req, asked, formats::ALL)?;
    let expand = if format == Format::JsonLd {
        Expand::ALL
    } else {
        expand
    };
    if format == Format::Json && expand == Expand::default() {
        let (document, version) = documents::document(&store, &path.id)
            .await?
            .ok_or_else(|| claim_not_found(&path.id))?;
        // The stored version is the ETag of these bytes: nothing needs to hash them again.
        return Ok(HttpResponse::Ok()
            .insert_header((actix_web::http::header::ETAG, version))
            .json(document));
    }
    let claim = claims::get(&store, &path.id, expand)
        .await?
        .ok_or_else(|| claim_not_found(&path.id))?;
    formats::item(
        format,
        &claim,
        claim_layout([&claim], "text"),
        linked_data::claim,
    )
}

/// List a claim's appearances
///
/// Every source the claim appeared in, with the exact quote, its language, whether it is
/// verbatim, a paraphrase or a translation, and how faithfully it renders the claim. The first
/// recorded appearance comes first, then the rest by the source's date.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, FormatParams),
    responses(
        (status = 200, description = "The claim's appearances.",
            content(
                (AppearanceList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}/appearances")]
async fn list_claim_appearances(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let expand = Expand {
        appearances: true,
        sources: format == Format::JsonLd,
        ..Expand::default()
    };
    let claim = claims::get(&store, &path.id, expand)
        .await?
        .ok_or_else(|| claim_not_found(&path.id))?;
    let sources = claim.sources.unwrap_or_default();
    formats::list(
        format,
        claim.appearances.unwrap_or_default(),
        CsvLayout::new(BTreeMap::new()),
        |data| AppearanceList { data },
        |a| linked_data::appearance(a, &sources),
    )
}

/// List a claim's revision chain
///
/// The whole chain the claim belongs to (from any member), oldest first, each step with how
/// its figures moved from the step before: Morgan Stanley's 36 → 44 → 47 → 55 GW. A claim that
/// was never revised is a chain of one.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, FormatParams),
    responses(
        (status = 200, description = "The revision chain, oldest first.",
            content(
                (RevisionList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}/revisions")]
async fn list_claim_revisions(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let chain = claims::revision_chain(&store, &path.id)
        .await?
        .ok_or_else(|| claim_not_found(&path.id))?;
    let layout = claim_layout(&chain, "claim.text");
    formats::list(
        format,
        revision_steps(chain),
        layout,
        |data| RevisionList { data },
        |step| linked_data::claim(&step.claim),
    )
}

/// List a claim's assessments
///
/// Reviews of the claim (schema.org ClaimReview), oldest first. The latest one's verdict is
/// the claim's `status`.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, FormatParams),
    responses(
        (status = 200, description = "The claim's assessments, oldest first.",
            content(
                (AssessmentList = "application/json"),
                ("text/csv"),
                ("application/x-ndjson"),
                ("application/ld+json")
            ),
            headers(("ETag" = String, description = "Validator of this response; send it back as `If-None-Match`."))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 406, response = NotAcceptable),
        (status = 404, response = NotFound),
        (status = 500, response = InternalError)
    )
)]
#[get("/claims/{id}/assessments")]
async fn list_claim_assessments(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Query(params): Query<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    let format = negotiate(&req, params.parse()?, formats::ALL)?;
    let assessments = claims::assessments(&store, &path.id)
        .await?
        .ok_or_else(|| claim_not_found(&path.id))?;
    formats::list(
        format,
        assessments,
        CsvLayout::new(BTreeMap::new()),
        |data| AssessmentList { data },
        |a| linked_data::assessment(a, &path.id),
    )
}

/// Create a claim
///
/// Adds a claim by a claimant already in the record, with its texts, topics and figures (values
/// with their units; SI values are derived). Give `id` to choose it (409 if taken). Appearances
/// are added with `POST /v1/claims/{id}/appearances`.
#[utoipa::path(
    tag = "claims",
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\x21-\x7E]{1,255}$", description = "A key of your choosing (1 to 255 characters). The first answer to a key is kept for 24 hours and replayed to every retry with the same body (with `Idempotent-Replayed: true`); the same key with another body is a 422.", example = "2f1c6a3e-claim-17")),
    request_body(content = ClaimBody, description = "The claim."),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created. `Location` and `ETag` name it.", body = crate::domain::Claim,
            headers(("Location" = String, description = "The new claim's URL."), ("ETag" = String, description = "Its version, for `If-Match`."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 409, description = "The id is taken, or the claim it supersedes is already superseded.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotJson),
        (status = 422, description = "The claim is not valid: `errors` names every failing field by JSON pointer.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[post("/claims", wrap = "from_fn(guard_writes)")]
async fn create_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, raw): JsonBody,
) -> Result<HttpResponse, ApiError> {
    writes::create(
        &req,
        &store,
        &Claims,
        &token.id,
        (&body, &raw),
        "/v1/claims",
    )
    .await
}

/// Change a claim
///
/// A JSON merge patch (RFC 7396) of the claim's fields as `POST` takes them: give only what
/// changes; `null` clears a field. With `If-Match`, the change applies only if the claim is
/// still at that version (its `ETag`); otherwise 412 and nothing changes.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the change is based on.")),
    request_body(content = ClaimBody, content_type = "application/merge-patch+json",
        description = "The fields to change.", example = json!({"note": "Checked against the recording."})),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed claim, with its new `ETag`.", body = crate::domain::Claim,
            headers(("ETag" = String, description = "Its new version."))),
        (status = 400, response = BadRequest),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "The change would fork or loop a revision chain.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = super::error::StaleWrite),
        (status = 413, response = super::error::PayloadTooLarge),
        (status = 415, response = super::error::NotMergePatch),
        (status = 422, description = "The changed claim would not be valid.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 500, response = InternalError)
    )
)]
#[patch("/claims/{id}", wrap = "from_fn(guard_writes)")]
async fn update_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
    JsonBody(body, _): JsonBody,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::ClaimNotFound, "claim", &path.id);
    writes::update(&req, &store, &Claims, target, &token.id, body).await
}

/// Delete a claim
///
/// Deletes the claim with its appearances and assessments; its history stays. A claim that a
/// later claim revises cannot be deleted (409): the chain would break.
#[utoipa::path(
    tag = "claims",
    params(ClaimPath, ("If-Match" = Option<String>, Header, description = "The `ETag` the deletion is based on.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, response = super::error::Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "A later claim revises this one.", body = super::error::Problem, content_type = "application/problem+json"),
        (status = 412, response = super::error::StaleWrite),
        (status = 500, response = InternalError)
    )
)]
#[delete("/claims/{id}", wrap = "from_fn(guard_writes)")]
async fn delete_claim(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<ClaimPath>,
    Writer(token): Writer,
    _: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    let target = Target::record(ProblemCode::ClaimNotFound, "claim", &path.id);
    writes::delete(&req, &store, &Claims, target, &token.id).await
}
