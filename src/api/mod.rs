//! The HTTP layer: one module per resource, and the route table, which is also the OpenAPI
//! document (utoipa-actix-web collects each operation as it is registered).

mod appearances;
mod assessments;
pub mod auth;
mod body;
pub mod claimants;
mod claims;
pub use claims::claims_csv;
pub mod error;
mod formats;
mod history;
mod import;
pub mod limits;
mod linked_data;
mod lists;
pub mod middleware;
mod params;
mod service;
mod sources;
mod taxonomy;
mod writes;

use actix_web::http::Method;
use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_actix_web::{AppExt, scope};

use error::{
    ApiError, BadRequest, FieldError, Forbidden, HeadersTooLarge, InsufficientStorage,
    InternalError, NotAcceptable, NotFound, NotJson, NotMergePatch, NotModified, PayloadTooLarge,
    PreconditionFailed, Problem, ProblemCode, RequestTimeout, ServiceUnavailable, StaleWrite,
    TooManyRequests, Unauthorized, UriTooLong,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "claimtrail",
        description = include_str!("openapi_description.md"),
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
        contact(name = "claimtrail maintainers"),
    ),
    // Where `claimtrail serve` listens unless told otherwise; a try-it console and a generated
    // client start from here.
    servers((url = "http://127.0.0.1:8080", description = "A local `claimtrail serve` with its default `CLAIMTRAIL_BIND`.")),
    tags(
        (name = "claims", description = "Statements by claimants: texts in several languages, figures, forecasts, revisions, appearances and assessments."),
        (name = "claimants", description = "People and organizations that make claims."),
        (name = "sources", description = "Documents claims appear in, and what each relies on."),
        (name = "topics", description = "Tags on claims."),
        (name = "indicators", description = "What the figures in claims measure."),
        (name = "history", description = "Every write to the record, by whom and when, with the change; kept after a record is deleted."),
        (name = "service", description = "Liveness and readiness of the service.")
    ),
    components(
        schemas(
            Problem,
            FieldError,
            ProblemCode,
            crate::domain::Expansion,
            crate::domain::EvidenceFilter
        ),
        responses(
            BadRequest, NotFound, InternalError, NotModified, NotAcceptable, Unauthorized, Forbidden,
            TooManyRequests, UriTooLong, HeadersTooLarge, RequestTimeout, ServiceUnavailable,
            InsufficientStorage,
            PreconditionFailed, StaleWrite, PayloadTooLarge, NotJson, NotMergePatch
        )
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// Declares the bearer tokens that writes take (`claimtrail token create`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut OpenApiDoc) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("A token made with `claimtrail token create --name NAME --scope write`, sent as `Authorization: Bearer ct_…`.".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
    }
}

/// Registers every documented route.
fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        // On the scope, not the app: what reaches /v1 handlers is guarded however its path
        // was spelt (percent-encoded or not).
        scope("/v1")
            .wrap(actix_web::middleware::from_fn(auth::guard_reads))
            .configure(claims::configure)
            .configure(history::configure)
            .configure(appearances::configure)
            .configure(assessments::configure)
            .configure(taxonomy::configure)
            .configure(claimants::configure)
            .configure(sources::configure)
            .configure(import::configure),
    )
    .configure(service::configure);
}

/// The OpenAPI document, built from the same registrations as the server's routes, as served
/// at `/openapi.json`: JSON, because it states what utoipa's types cannot hold (`if`/`then`).
pub fn openapi() -> serde_json::Value {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts()
        .1;
    // Every read of /v1 may be asked for a token (CLAIMTRAIL_PUBLIC_READS=false), and every
    // write may meet a read-only one; both are said once here rather than on each operation.
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            // The probes never ask for a token; saying so keeps generated clients from sending
            // one to a load balancer's health check.
            if let Some(get) = item.get.as_mut() {
                get.security = Some(Vec::new());
                // Every GET evaluates If-Match (RFC 9110 13.1.1), a probe's too.
                get.responses.responses.insert(
                    "412".into(),
                    RefOr::Ref(Ref::from_response_name("PreconditionFailed")),
                );
            }
            continue;
        }
        if let Some(get) = item.get.as_mut() {
            // A token is optional on reads (`{}`) but taken when sent, so SDKs send it.
            get.security = Some(vec![
                SecurityRequirement::default(),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ]);
            get.responses.responses.insert(
                "401".into(),
                RefOr::Ref(Ref::from_response_name("Unauthorized")),
            );
            get.responses.responses.insert(
                "412".into(),
                RefOr::Ref(Ref::from_response_name("PreconditionFailed")),
            );
        }
        for write in [&mut item.post, &mut item.patch, &mut item.delete]
            .into_iter()
            .flatten()
        {
            write.responses.responses.insert(
                "403".into(),
                RefOr::Ref(Ref::from_response_name("Forbidden")),
            );
        }
    }
    limit_responses(&mut doc);
    merge_patch_schemas(&mut doc);
    for_generated_clients(doc)
}

/// What `If-Match` and `If-None-Match` take: `*` or a list of entity-tags, as the server checks
/// them (the ASCII ones without a comma, which the server's ETags never hold; a header of other
/// bytes is no use to a client).
const ENTITY_TAGS: &str = r#"^[ \t]*(\*|(W/)?"[\x21\x23-\x2B\x2D-\x7E]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x2B\x2D-\x7E]*")*)[ \t]*$"#;

/// Every conditional write (an operation with `If-Match`) takes `If-None-Match` too, both in the
/// form the server checks, and answers a malformed one with 400.
fn conditional_writes(doc: &mut serde_json::Value) {
    use serde_json::{Value, json};
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        // `get_mut`, not indexing: indexing a missing key would add it, as null.
        let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
            continue;
        };
        let Some(if_match) = parameters.iter_mut().find(|p| p["name"] == "If-Match") else {
            continue;
        };
        if_match["schema"]["pattern"] = ENTITY_TAGS.into();
        if_match["description"] = format!(
            "{} `*`, or the `ETag` as it was sent, quotes included (a list of them is allowed); \
             a value of another form is a 400.",
            if_match["description"].as_str().unwrap_or_default()
        )
        .into();
        parameters.push(json!({
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "Make the change only if the record is not in this version: `*` (the \
                            record exists) or an `ETag` it must not have; otherwise 412.",
            "schema": {"type": "string", "pattern": ENTITY_TAGS},
        }));
        op["responses"]["400"] = json!({"$ref": "#/components/responses/BadRequest"});
    }
}

/// States on a request body's schema the count limit `domain::input` enforces on every list.
fn body_limits(schema: &mut serde_json::Value) {
    use serde_json::Value;
    let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
    for property in properties.into_iter().flat_map(|p| p.values_mut()) {
        let array = match &property["type"] {
            Value::String(t) => t == "array",
            Value::Array(types) => types.iter().any(|t| t == "array"),
            _ => false,
        };
        if array {
            property["maxItems"] = crate::domain::MAX_ITEMS.into();
        }
    }
}

/// Corrections that utoipa cannot be told on the types themselves, made on the document as
/// JSON, each for what SDK generators make of it:
/// - text keyed by language is the component `LocalizedText`, not the Rust type `BTreeMap`;
/// - optional header parameters are strings, not "string or null" (a header is absent or
///   has a value; `null` made generated clients put None in headers);
/// - CSV and NDJSON bodies are strings, JSON-LD an object, rather than of no type at all;
/// - request bodies take no properties but their own.
fn for_generated_clients(doc: OpenApiDoc) -> serde_json::Value {
    use serde_json::{Value, json};
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/BTreeMap")
                {
                    map.insert("$ref".into(), "#/components/schemas/LocalizedText".into());
                }
                // What `CalendarDate::parse` takes: a four-digit year, no sign.
                if map.get("format").and_then(Value::as_str) == Some("date") {
                    map.insert("pattern".into(), "^[0-9]{4}-[0-9]{2}-[0-9]{2}$".into());
                }
                if map.get("in").and_then(Value::as_str) == Some("header")
                    && map["schema"]["type"] == json!(["string", "null"])
                {
                    map["schema"]["type"] = "string".into();
                }
                if let Some(Value::Object(content)) = map.get_mut("content") {
                    for (media, body) in content.iter_mut() {
                        let schema = match media.as_str() {
                            "text/csv" | "application/x-ndjson" => json!({"type": "string"}),
                            "application/ld+json" => json!({"type": "object"}),
                            _ => continue,
                        };
                        if body.get("schema").is_none() {
                            body["schema"] = schema;
                        }
                    }
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(&doc).expect("the document serialises");
    walk(&mut value);
    conditional_writes(&mut value);
    if let Some(schemas) = value["components"]["schemas"].as_object_mut()
        && let Some(mut map) = schemas.remove("BTreeMap")
    {
        map["description"] =
            "Text keyed by BCP 47 language tag: `{\"en\": \"…\", \"zh-CN\": \"…\"}`.".into();
        map["example"] =
            json!({"en": "Electricity is the limiting factor.", "zh-CN": "电力是限制因素。"});
        schemas.insert("LocalizedText".into(), map);
    }
    // Bodies are checked field by field and a field they do not have is a 422: say so. Texts in
    // lists are checked like other texts, and a map of texts has at least one.
    if let Some(schemas) = value["components"]["schemas"].as_object_mut() {
        if let Some(texts) = schemas.get_mut("LocalizedText") {
            texts["minProperties"] = 1.into();
            texts["additionalProperties"]["pattern"] = crate::domain::TEXT_PATTERN.into();
            texts["maxProperties"] = crate::domain::MAX_ITEMS.into();
        }
        string_formats(schemas);
        cross_field_rules(schemas);
        for (name, schema) in schemas.iter_mut() {
            let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
            for property in properties.into_iter().flat_map(|p| p.values_mut()) {
                if let Some(items) = property.get_mut("items").and_then(Value::as_object_mut)
                    && items.get("type").is_some_and(|t| t == "string")
                    && !items.contains_key("pattern")
                {
                    items.insert("pattern".into(), crate::domain::TEXT_PATTERN.into());
                }
            }
            // Alias, Affiliation, Evidence and Horizon are parts of bodies too.
            let part = matches!(
                name.as_str(),
                "Alias" | "Affiliation" | "Evidence" | "Horizon"
            );
            if name.ends_with("Body") || name.ends_with("Patch") || part {
                schema["additionalProperties"] = false.into();
                body_limits(schema);
            }
        }
        localized_text_patches(schemas);
        free_text_limits(schemas);
        // Aliases are one when they differ only in ASCII case, which no schema can say; that
        // two identical ones are refused, it can.
        for name in ["ClaimantBody", "ClaimantPatch"] {
            if let Some(aliases) = schemas
                .get_mut(name)
                .and_then(|s| s.pointer_mut("/properties/aliases"))
            {
                aliases["uniqueItems"] = true.into();
            }
        }
    }
    value
}

/// States the length limit `domain::input` enforces on every free text as `maxLength`: the
/// server checks it on every string it reads, and every string the document gives the text
/// `pattern` is one it reads that way (a text, an item of a list, a reference by id).
fn free_text_limits(schemas: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::Value;
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map
                    .get("pattern")
                    .is_some_and(|p| p == crate::domain::TEXT_PATTERN)
                {
                    map.insert("maxLength".into(), crate::domain::MAX_TEXT.into());
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    schemas.values_mut().for_each(walk);
}

/// States what `Slug::parse`, `LanguageTag::parse`, `Unit::parse` and the URL check accept
/// wherever the server applies them: the id a body gives, every `lang` and `language`, the keys
/// of `LocalizedText`, a figure's unit and every `url` and `archive_url`. utoipa cannot take
/// these patterns from the types without wrapping a described field in an `allOf` with an
/// object, so the types' own schemas (and the domain's patterns) are copied in here.
fn string_formats(schemas: &mut serde_json::Map<String, serde_json::Value>) {
    use crate::domain::{LanguageTag, Slug, URL_PATTERN, Unit};
    use serde_json::Value;
    use utoipa::PartialSchema;
    let constraints = |schema| {
        let schema = serde_json::to_value(schema).expect("a schema serialises");
        ["pattern", "minLength", "maxLength"]
            .into_iter()
            .filter_map(|key| Some((key, schema.get(key)?.clone())))
            .collect::<Vec<(&str, Value)>>()
    };
    let slug = constraints(Slug::schema());
    let tag = constraints(LanguageTag::schema());
    let unit = vec![("pattern", Value::from(Unit::pattern()))];
    let url = vec![("pattern", Value::from(URL_PATTERN))];
    for (name, schema) in schemas.iter_mut() {
        let is_body = name.ends_with("Body");
        let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
        for (property, value) in properties.into_iter().flatten() {
            let format = match property.as_str() {
                "id" if is_body => &slug,
                "lang" | "language" => &tag,
                "unit" if is_body => &unit,
                "url" | "archive_url" => &url,
                _ => continue,
            };
            for (key, constraint) in format {
                value[*key] = constraint.clone();
            }
        }
    }
    if let Some(texts) = schemas.get_mut("LocalizedText") {
        texts["propertyNames"] =
            Value::Object(tag.into_iter().map(|(k, v)| (k.into(), v)).collect());
        texts["propertyNames"]["type"] = "string".into();
    }
}

/// In a merge patch (RFC 7396) a map of texts is itself merged: `{"names": {"de": "…"}}` adds a
/// name, `{"names": {"en": null}}` removes one and `{"names": {}}` changes nothing. So the PATCH
/// schemas take `LocalizedTextPatch`, whose values may be null and which may be empty; that
/// the merged record keeps at least one text is the server's check of the whole record.
fn localized_text_patches(schemas: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::Value;
    const TEXT: &str = "#/components/schemas/LocalizedText";
    const PATCH: &str = "#/components/schemas/LocalizedTextPatch";
    let Some(mut patch) = schemas.get("LocalizedText").cloned() else {
        return;
    };
    if let Some(map) = patch.as_object_mut() {
        map.remove("minProperties");
        map.remove("example");
    }
    patch["additionalProperties"]["type"] = serde_json::json!(["string", "null"]);
    patch["description"] = "Texts keyed by BCP 47 language tag, merged into the record's: a \
        text replaces the one in its language, `null` removes it."
        .into();
    for (name, schema) in schemas.iter_mut() {
        if !name.ends_with("Patch") {
            continue;
        }
        let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
        for property in properties.into_iter().flat_map(|p| p.values_mut()) {
            if property.get("$ref").and_then(Value::as_str) == Some(TEXT) {
                property["$ref"] = PATCH.into();
            }
        }
    }
    schemas.insert("LocalizedTextPatch".into(), patch);
}

/// The rules between two fields of a body that `domain::input` enforces and JSON Schema can
/// state (`if`/`then`), on the POST bodies only: a merge patch is checked together with the
/// record it changes, which no schema of the patch alone can see.
fn cross_field_rules(schemas: &mut serde_json::Map<String, serde_json::Value>) {
    use serde_json::{Value, json};
    /// When `field` is given (not null), `then` holds.
    fn given(field: &str, then: Value) -> Value {
        json!({
            "if": {"required": [field], "properties": {field: {"not": {"type": "null"}}}},
            "then": then,
        })
    }
    /// With precision `month` the day of `date` is 01, with `year` the date is January 1st.
    fn held_to(date: &str, precision: &str) -> [Value; 2] {
        [
            ("month", "^[0-9]{4}-[0-9]{2}-01$"),
            ("year", "^[0-9]{4}-01-01$"),
        ]
        .map(|(p, pattern)| {
            json!({
                "if": {"required": [precision], "properties": {precision: {"const": p}}},
                "then": {"properties": {date: {"pattern": pattern}}},
            })
        })
    }
    let rules = [
        (
            "ClaimBody",
            [given(
                "horizon",
                json!({"properties": {"kind": {"const": "prediction"}}}),
            )]
            .into_iter()
            .chain(held_to("stated_on", "stated_precision"))
            .collect::<Vec<_>>(),
        ),
        (
            "AppearanceBody",
            vec![given(
                "quote",
                json!({"required": ["kind"], "properties": {"kind": {"type": "string"}}}),
            )],
        ),
        (
            "SourceBody",
            ["published_precision", "published_at"]
                .into_iter()
                .map(|field| {
                    given(
                        field,
                        json!({"required": ["published_on"], "properties": {"published_on": {"type": "string"}}}),
                    )
                })
                .chain(held_to("published_on", "published_precision"))
                .collect(),
        ),
    ];
    for (name, conditions) in rules {
        if let Some(schema) = schemas.get_mut(name) {
            schema["allOf"] = Value::Array(conditions);
        }
    }
}

/// Documents the limits of `limits::enforce` and of request bodies on the operations they
/// apply to: URL and header sizes and the request timeout on every one, the body timeout on
/// those with a body, and rate limits on writes and on reads that take `q`.
fn limit_responses(doc: &mut OpenApiDoc) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{Ref, RefOr};
    fn add(op: &mut Operation, status: &str, response: &str) {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(response)));
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let v1 = path.starts_with("/v1/");
        let reads = [&mut item.get].into_iter().flatten().map(|op| (op, false));
        let writes = [&mut item.post, &mut item.patch, &mut item.delete]
            .into_iter()
            .flatten()
            .map(|op| (op, true));
        for (op, write) in reads.chain(writes) {
            add(op, "414", "UriTooLong");
            add(op, "431", "HeadersTooLarge");
            add(op, "503", "ServiceUnavailable");
            if op.request_body.is_some() {
                add(op, "408", "RequestTimeout");
            }
            let searches = op.parameters.iter().flatten().any(|p| {
                matches!(p, RefOr::T(p) if p.name == "q" && matches!(p.parameter_in, ParameterIn::Query))
            });
            if v1 && (write || searches) {
                add(op, "429", "TooManyRequests");
                rate_limit_headers(op);
            }
            // Every write refuses query parameters it does not take, and any write may find
            // no room to store it.
            if write {
                add(op, "400", "BadRequest");
                if v1 {
                    add(op, "507", "InsufficientStorage");
                }
            }
        }
    }
}

/// Declares the `RateLimit` and `RateLimit-Policy` headers that `limits::enforce` puts on
/// every answer to a rate-limited request, on the operation's success responses (its refusals
/// are shared components; the 429 declares them itself).
fn rate_limit_headers(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let header = |description: &str| {
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(description))
                .build(),
        )
    };
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('2') {
            continue;
        }
        response.headers.insert(
            "RateLimit".to_owned(),
            header(
                "What is left of this client's allowance, while the server limits the rate: \
                 `\"writes\";r=119;t=1` (requests remaining, seconds until it is whole again).",
            ),
        );
        response.headers.insert(
            "RateLimit-Policy".to_owned(),
            header("The policy: `\"writes\";q=120;w=60` (requests per window of 60 seconds)."),
        );
    }
}

/// Gives each PATCH its own schema: the POST body with nothing required, since a JSON merge
/// patch (RFC 7396) names only the fields it changes. Without this, SDKs generated from the
/// document would make clients resend every required field.
fn merge_patch_schemas(doc: &mut OpenApiDoc) {
    use utoipa::openapi::{Ref, RefOr, schema::Schema};
    let mut patches = Vec::new();
    for item in doc.paths.paths.values_mut() {
        let Some(RefOr::T(body)) = item.patch.as_mut().and_then(|op| op.request_body.as_mut())
        else {
            continue;
        };
        // A PATCH takes the same merge patch as plain `application/json` too, as most HTTP
        // clients send it.
        if let Some(patch) = body.content.get("application/merge-patch+json").cloned() {
            body.content
                .entry("application/json".to_owned())
                .or_insert(patch);
        }
        for content in body.content.values_mut() {
            let RefOr::T(content) = content else {
                continue;
            };
            let Some(RefOr::Ref(reference)) = content.schema.as_ref() else {
                continue;
            };
            let Some(name) = reference.ref_location.strip_prefix("#/components/schemas/") else {
                continue;
            };
            let patch = format!("{}Patch", name.trim_end_matches("Body"));
            patches.push((name.to_owned(), patch.clone()));
            content.schema = Some(RefOr::Ref(Ref::from_schema_name(patch)));
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (body, patch) in patches {
        let Some(RefOr::T(Schema::Object(mut object))) = components.schemas.get(&body).cloned()
        else {
            continue;
        };
        object.required.clear();
        // The id is in the path; a PATCH that names another is refused (422).
        object.properties.shift_remove("id");
        if let Some(serde_json::Value::Object(example)) = object.example.as_mut() {
            example.remove("id");
        }
        object.description = Some(format!(
            "The fields of a `{body}` to change, as a JSON merge patch (RFC 7396): a field left \
             out stays as it is, `null` removes an optional one, and a list is replaced whole."
        ));
        components
            .schemas
            .insert(patch, RefOr::T(Schema::Object(object)));
    }
}

/// Adds the API's routes to an app, with the docs and the fallback for unknown routes.
pub fn mount(cfg: &mut web::ServiceConfig, doc: &serde_json::Value) {
    let mut scoped = utoipa_actix_web::service_config::ServiceConfig::new(cfg);
    routes(&mut scoped);
    let known = KnownPaths::from_doc(doc);
    cfg.app_data(web::PathConfig::default().error_handler(|err, _| {
        ApiError::invalid("path", format!("cannot be read: {err}")).into()
    }))
    .app_data(web::Data::new(known))
    .service(
        utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
            .external_url_unchecked("/openapi.json", doc.clone())
            .config(utoipa_swagger_ui::Config::default().validator_url("none")),
    )
    .route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header(("Location", "/docs/"))
                .finish()
        }),
    )
    .default_service(web::to(fallback));
}

/// The paths the server answers, with their methods, to tell a wrong method (405) from an
/// unknown path (404).
struct KnownPaths(Vec<(Vec<String>, Vec<Method>)>);

impl KnownPaths {
    fn from_doc(doc: &serde_json::Value) -> KnownPaths {
        let mut paths: Vec<(Vec<String>, Vec<Method>)> = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(template, item)| (segments(template), methods_of(item)))
            .collect();
        paths.push((segments("/openapi.json"), vec![Method::GET, Method::HEAD]));
        paths.push((segments("/docs"), vec![Method::GET, Method::HEAD]));
        KnownPaths(paths)
    }

    fn allowed(&self, path: &str) -> Option<&[Method]> {
        // The docs UI serves every file under /docs/, and only to GET.
        static DOCS: [Method; 2] = [Method::GET, Method::HEAD];
        if path.starts_with("/docs/") {
            return Some(&DOCS);
        }
        let wanted: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(template, methods)| {
            let matches = template.len() == wanted.len()
                && template
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| (t.starts_with('{') && !w.is_empty()) || t == w);
            matches.then_some(methods.as_slice())
        })
    }
}

fn segments(template: &str) -> Vec<String> {
    template.split('/').map(str::to_owned).collect()
}

fn methods_of(item: &serde_json::Value) -> Vec<Method> {
    let mut methods = Vec::new();
    if item.get("get").is_some() {
        methods.extend([Method::GET, Method::HEAD]);
    }
    for (name, method) in [
        ("post", Method::POST),
        ("put", Method::PUT),
        ("patch", Method::PATCH),
        ("delete", Method::DELETE),
    ] {
        if item.get(name).is_some() {
            methods.push(method);
        }
    }
    methods
}

async fn fallback(
    req: HttpRequest,
    known: web::Data<KnownPaths>,
) -> Result<HttpResponse, ApiError> {
    Err(match known.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => ApiError::MethodNotAllowed {
            allow: methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        },
        _ => ApiError::RouteNotFound(req.path().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_match_templates_by_segment() {
        let doc = openapi();
        let known = KnownPaths::from_doc(&doc);
        assert!(known.allowed("/v1/claims/musk-china-ai-compute").is_some());
        assert!(known.allowed("/v1/claims/x/revisions").is_some());
        assert!(known.allowed("/v1/claims/").is_none());
        assert!(known.allowed("/v1/claims//revisions").is_none());
        assert!(known.allowed("/v1/nothing").is_none());
        assert!(known.allowed("/v1/claims/x/y/z").is_none());
    }
}
