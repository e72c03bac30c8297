//! Refusals that were wrong, and HTTP semantics (issue "Every refusal bounded, clear and
//! documented"). Each test names the point it pins by its number there; each failed on the
//! main branch before the fix.

use claimtrail::config::LimitArgs;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{
    etag_of, invalid_fields, post, problem, spawn_app, spawn_limited, token, unlimited,
};

/// 6: a topic's and an indicator's `-gzip` ETag name their version, as every other record's do.
#[tokio::test]
async fn a_coded_etag_names_every_kind_of_record() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for (path, patch) in [
        (
            "/v1/topics/chips",
            json!({"description": "Semiconductors for AI."}),
        ),
        (
            "/v1/indicators/spare-capacity-margin",
            json!({"description": "Spare capacity as a share of peak demand."}),
        ),
        ("/v1/claimants/openai", json!({"description": "An AI lab."})),
        (
            "/v1/sources/benzinga-2025-11-13-goldman",
            json!({"note": "Checked."}),
        ),
        (
            "/v1/claims/huang-power-is-free",
            json!({"note": "Checked."}),
        ),
    ] {
        // The coded form exists only for answers of 1 KiB or more; the ETag is computed the
        // same way for every record, so ask for it coded by name.
        let plain = etag_of(&app, path, false).await;
        let coded = format!("{}-gzip\"", plain.trim_end_matches('"'));
        let response = app
            .client
            .patch(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .header("if-match", &coded)
            .json(&patch)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path} with {coded}");
    }
}

/// 7: the auth scheme is case-insensitive (RFC 9110 11.1).
#[tokio::test]
async fn the_bearer_scheme_is_matched_in_any_case() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for (n, scheme) in ["Bearer", "bearer", "BEARER", "BeArEr"].iter().enumerate() {
        let response = app
            .client
            .post(format!("{}/v1/topics", app.address))
            .header("authorization", format!("{scheme} {token}"))
            .json(&json!({"id": format!("scheme-{n}"), "names": {"en": "T"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{scheme}");
    }
}

/// 8 and 16: an unquoted `If-Match` is a 400 showing the quoted form; `If-None-Match` on a
/// write is honoured; `If-Match` on a GET names the one version it takes.
#[tokio::test]
async fn preconditions_are_read_as_rfc_9110_has_them() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let path = "/v1/claims/huang-power-is-free";
    let etag = etag_of(&app, path, false).await;
    let bare = etag.trim_matches('"').to_owned();
    let send = |method: Method, headers: Vec<(&'static str, String)>| {
        let (app, token) = (&app, &token);
        async move {
            let mut request = app
                .client
                .request(method.clone(), format!("{}{path}", app.address))
                .bearer_auth(token);
            for (name, value) in headers {
                request = request.header(name, value);
            }
            if method == Method::PATCH {
                request = request.json(&json!({"note": "Changed."}));
            }
            request.send().await.unwrap()
        }
    };
    for bad in [
        bare.clone(),
        format!("{bare}, \"x\""),
        "W/x".into(),
        "\"a,b\"".into(),
    ] {
        for method in [Method::PATCH, Method::DELETE] {
            let body = problem(
                send(method.clone(), vec![("if-match", bad.clone())]).await,
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
            )
            .await;
            assert_eq!(body["errors"][0]["field"], "if-match", "{body}");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("double quotes"), "{message}");
        }
    }
    let body = problem(
        send(Method::PATCH, vec![("if-match", bare.clone())]).await,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("\"{bare}\"")),
        "the quoted form is shown: {body}"
    );
    // If-None-Match: * on a record that exists, or naming its version, changes nothing.
    for tags in ["*".to_owned(), etag.clone(), format!("\"x\", {etag}")] {
        for method in [Method::PATCH, Method::DELETE] {
            let body = problem(
                send(method.clone(), vec![("if-none-match", tags.clone())]).await,
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
            )
            .await;
            assert!(body["detail"].as_str().unwrap().contains("If-None-Match"));
        }
    }
    assert_eq!(etag_of(&app, path, false).await, etag, "nothing changed");
    let changed = send(Method::PATCH, vec![("if-none-match", "\"other\"".into())]).await;
    assert_eq!(changed.status(), StatusCode::OK);
    // A GET with If-Match takes only the current version.
    let now = etag_of(&app, path, false).await;
    for (tags, status) in [
        (etag.clone(), StatusCode::PRECONDITION_FAILED),
        ("\"nope\"".to_owned(), StatusCode::PRECONDITION_FAILED),
        (now.clone(), StatusCode::OK),
        ("*".to_owned(), StatusCode::OK),
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .header("if-match", &tags)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "If-Match: {tags}");
        if status == StatusCode::PRECONDITION_FAILED {
            problem(response, status, "precondition_failed").await;
        }
    }
}

/// 9 and 16: a quality that is not a number from 0 to 1 is ignored, and a type the client
/// refuses with q=0 is never served through a wildcard.
#[tokio::test]
async fn accept_is_read_leniently_and_q0_refuses() {
    let app = spawn_app().await;
    let get = |accept: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/v1/claims/huang-power-is-free", app.address))
                .header("accept", accept)
                .send()
                .await
                .unwrap()
        }
    };
    for accept in [
        "application/json;q=2",
        "application/json;q=-1",
        "application/json;q=abc",
        "Application/JSON",
    ] {
        let response = get(accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(response.headers()["content-type"], "application/json");
    }
    let response = get("application/json;q=0, */*").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_ne!(
        response.headers()["content-type"],
        "application/json",
        "JSON was refused"
    );
    problem(
        get("application/json;q=0").await,
        StatusCode::NOT_ACCEPTABLE,
        "not_acceptable",
    )
    .await;
    let csv = get("text/csv;q=0.5, application/ld+json;q=0.9").await;
    assert_eq!(csv.headers()["content-type"], "application/ld+json");
}

/// 10: OPTIONS (and any method that changes nothing) does not spend the write allowance.
#[tokio::test]
async fn only_writes_spend_the_write_allowance() {
    let app = spawn_limited(LimitArgs {
        write_rate: 2,
        ..unlimited()
    })
    .await;
    for _ in 0..5 {
        let response = app
            .client
            .request(Method::OPTIONS, format!("{}/v1/claims", app.address))
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let token = token(&app).await;
    let write = app
        .client
        .post(format!("{}/v1/topics", app.address))
        .bearer_auth(&token)
        .json(&json!({"id": "after-options", "names": {"en": "After"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::CREATED);
}

/// 12: a 404 names what is missing, by id; a missing claim is named as the claim.
#[tokio::test]
async fn a_404_names_what_is_missing() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for (method, path, code, id) in [
        (Method::PATCH, "/v1/claims/nope", "claim_not_found", "nope"),
        (Method::DELETE, "/v1/claims/nope", "claim_not_found", "nope"),
        (
            Method::PATCH,
            "/v1/claims/nope/appearances/x",
            "claim_not_found",
            "nope",
        ),
        (
            Method::DELETE,
            "/v1/claims/nope/appearances/x",
            "claim_not_found",
            "nope",
        ),
        (
            Method::PATCH,
            "/v1/claims/nope/assessments/x",
            "claim_not_found",
            "nope",
        ),
        (
            Method::DELETE,
            "/v1/claims/nope/assessments/x",
            "claim_not_found",
            "nope",
        ),
        (
            Method::PATCH,
            "/v1/claims/huang-power-is-free/appearances/x",
            "appearance_not_found",
            "x",
        ),
        (
            Method::DELETE,
            "/v1/claims/huang-power-is-free/assessments/y",
            "assessment_not_found",
            "y",
        ),
    ] {
        let mut request = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .bearer_auth(&token);
        if method == Method::PATCH {
            request = request.json(&json!({"note": "x"}));
        }
        let body = problem(request.send().await.unwrap(), StatusCode::NOT_FOUND, code).await;
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("\"{id}\"")),
            "{method} {path}: {detail}"
        );
    }
}

/// 12: a wrong method on the docs UI is a 405, not a 404 that says nothing is there.
#[tokio::test]
async fn a_wrong_method_on_the_docs_is_a_405() {
    let app = spawn_app().await;
    for path in ["/docs/", "/docs/index.html", "/docs"] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["allow"], "GET, HEAD", "{path}");
        problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
}

/// 14: HEAD on a streamed list sends no body, so a request pipelined behind it is read right.
#[tokio::test]
async fn head_on_a_streamed_list_sends_no_body_before_the_next_response() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let lists = [
        "/v1/claims",
        "/v1/claimants",
        "/v1/sources",
        "/v1/topics",
        "/v1/indicators",
        "/v1/history",
        "/v1/indicators/datacenter-power-shortfall/estimates",
    ];
    for list in lists {
        for format in ["ndjson", "csv"] {
            for encoding in ["identity", "gzip"] {
                let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
                let request = format!(
                    "HEAD {list}?format={format} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {encoding}\r\n\r\n\
                     GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(request.as_bytes()).await.unwrap();
                let mut answer = Vec::new();
                stream.read_to_end(&mut answer).await.unwrap();
                let answer = String::from_utf8_lossy(&answer);
                let case = format!("HEAD {list}?format={format} ({encoding})");
                let (head, rest) = answer.split_once("\r\n\r\n").expect(&case);
                assert!(head.starts_with("HTTP/1.1 200"), "{case}: {head}");
                assert!(
                    rest.starts_with("HTTP/1.1 200"),
                    "{case}: a body follows the HEAD response: {:?}",
                    &rest[..rest.len().min(120)]
                );
                assert!(rest.ends_with("{\"status\":\"ok\"}"), "{case}: {rest:?}");
            }
        }
    }
}

/// 17: `Vary: accept` only where `Accept` chooses the representation.
#[tokio::test]
async fn vary_names_what_selects_the_answer() {
    let app = spawn_app().await;
    for (path, vary) in [
        ("/v1/claims", "accept, accept-encoding"),
        ("/v1/claims/huang-power-is-free", "accept, accept-encoding"),
        ("/v1/claims?format=csv", "accept-encoding"),
        (
            "/v1/claims/huang-power-is-free?format=json",
            "accept-encoding",
        ),
        ("/openapi.json", "accept-encoding"),
        ("/healthz", "accept-encoding"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["vary"], vary, "{path}");
    }
}

fn claim(id: &str, fields: Value) -> Value {
    let mut body = json!({"id": id, "claimant": "openai", "kind": "prediction",
                          "stated_on": "2026-05-01", "text": {"en": "A test claim."}});
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    body
}

/// 1: a date is exactly YYYY-MM-DD with a four-digit year, in bodies and in queries.
#[tokio::test]
async fn dates_have_four_digit_years_and_nothing_else() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for bad in [
        "-0001-01-01",
        "+2026-01-01",
        "10000-01-01",
        "2026-1-05",
        "2026-01-05T00:00:00Z",
    ] {
        let fields = invalid_fields(
            post(
                &app,
                &token,
                "/v1/claims",
                &claim("bad-date", json!({"stated_on": bad})),
            )
            .await,
        )
        .await;
        assert_eq!(fields[0].0, "/stated_on", "{bad}: {fields:?}");
        let horizon = json!({"horizon": {"due_on": bad, "precision": "day"}});
        let fields =
            invalid_fields(post(&app, &token, "/v1/claims", &claim("bad-due", horizon)).await)
                .await;
        assert_eq!(fields[0].0, "/horizon/due_on", "{bad}: {fields:?}");
        let assessment =
            json!({"verdict": "pending", "summary": "s", "assessed_on": bad, "assessor": "a"});
        let fields = invalid_fields(
            post(
                &app,
                &token,
                "/v1/claims/huang-power-is-free/assessments",
                &assessment,
            )
            .await,
        )
        .await;
        assert_eq!(fields[0].0, "/assessed_on", "{bad}: {fields:?}");
        let query = app
            .get(&format!(
                "/v1/claims?stated_since={}",
                crate::support::enc(bad)
            ))
            .await;
        problem(query, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    }
}

/// 2: a date says no more than its precision knows: with month the day is 01, with year the
/// date is January 1st.
#[tokio::test]
async fn a_date_is_held_to_its_precision() {
    let app = spawn_app().await;
    let token = token(&app).await;
    for (on, precision) in [
        ("2026-05-15", "year"),
        ("2026-05-01", "year"),
        ("2026-05-15", "month"),
    ] {
        let body = claim(
            "too-precise",
            json!({"stated_on": on, "stated_precision": precision}),
        );
        let fields = invalid_fields(post(&app, &token, "/v1/claims", &body).await).await;
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert_eq!(fields[0].0, "/stated_on");
        assert!(fields[0].1.contains(precision), "{fields:?}");
    }
    for (n, (on, precision)) in [
        ("2026-05-01", "month"),
        ("2026-01-01", "year"),
        ("2026-05-15", "day"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = claim(
            &format!("held-{n}"),
            json!({"stated_on": on, "stated_precision": precision}),
        );
        assert_eq!(
            post(&app, &token, "/v1/claims", &body).await.status(),
            StatusCode::CREATED
        );
    }
    let source = json!({"id": "a-month", "kind": "article", "publisher": "P", "language": "en",
                        "published_on": "2026-03-15", "published_precision": "month"});
    let fields = invalid_fields(post(&app, &token, "/v1/sources", &source).await).await;
    assert_eq!(fields[0].0, "/published_on", "{fields:?}");
}

/// 3: two keys of one language, differing only in case, are refused naming both: one text
/// would be lost.
#[tokio::test]
async fn two_keys_of_one_language_are_refused() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let body = claim("two-ens", json!({"text": {"en": "first", "EN": "second"}}));
    let fields = invalid_fields(post(&app, &token, "/v1/claims", &body).await).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    let (field, message) = &fields[0];
    assert!(
        (field == "/text/EN" && message.contains("\"en\""))
            || (field == "/text/en" && message.contains("\"EN\"")),
        "{fields:?}"
    );
    let topic = json!({"id": "two-zh", "names": {"zh-CN": "电力", "zh-cn": "电"}});
    let fields = invalid_fields(post(&app, &token, "/v1/topics", &topic).await).await;
    assert!(fields[0].0.starts_with("/names/"), "{fields:?}");
    // Aliases are matched ignoring ASCII case, so two such are one, and the second would be
    // lost (found by the round-trip property test).
    let claimant = json!({"id": "two-aliases", "kind": "person", "names": {"en": "Two"},
                          "aliases": [{"alias": "Ab"}, {"alias": "aB", "lang": "en"}]});
    let fields = invalid_fields(post(&app, &token, "/v1/claimants", &claimant).await).await;
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].0, "/aliases/1/alias", "{fields:?}");
    assert!(fields[0].1.contains("/aliases/0/alias"), "{fields:?}");
}

/// 15: every kind of response says how it may be cached.
#[tokio::test]
async fn every_kind_of_response_says_how_it_may_be_cached() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let claim = app.get("/v1/claims/huang-power-is-free").await;
    let etag = claim.headers()["etag"].to_str().unwrap().to_owned();
    let cases: Vec<(
        &str,
        reqwest::RequestBuilder,
        StatusCode,
        &str,
        Option<&str>,
    )> = vec![
        (
            "a read",
            app.client.get(format!("{}/v1/claims", app.address)),
            StatusCode::OK,
            "no-cache",
            None,
        ),
        (
            "a 304",
            app.client
                .get(format!("{}/v1/claims/huang-power-is-free", app.address))
                .header("if-none-match", &etag),
            StatusCode::NOT_MODIFIED,
            "no-cache",
            None,
        ),
        (
            "a streamed list",
            app.client
                .get(format!("{}/v1/claims?format=ndjson", app.address)),
            StatusCode::OK,
            "no-cache",
            None,
        ),
        (
            "a HEAD",
            app.client.head(format!("{}/v1/claims", app.address)),
            StatusCode::OK,
            "no-cache",
            None,
        ),
        (
            "a read with a token",
            app.client
                .get(format!("{}/v1/claims", app.address))
                .bearer_auth(&token),
            StatusCode::OK,
            "private, no-cache",
            None,
        ),
        (
            "a refused read",
            app.client.get(format!("{}/v1/claims?limit=0", app.address)),
            StatusCode::BAD_REQUEST,
            "no-cache",
            Some("invalid_parameter"),
        ),
        (
            "a 404",
            app.client.get(format!("{}/v1/claims/nope", app.address)),
            StatusCode::NOT_FOUND,
            "no-cache",
            Some("claim_not_found"),
        ),
        (
            "an unknown route",
            app.client.get(format!("{}/nowhere", app.address)),
            StatusCode::NOT_FOUND,
            "no-cache",
            Some("route_not_found"),
        ),
        (
            "liveness",
            app.client.get(format!("{}/healthz", app.address)),
            StatusCode::OK,
            "no-store",
            None,
        ),
        (
            "readiness",
            app.client.get(format!("{}/readyz", app.address)),
            StatusCode::OK,
            "no-store",
            None,
        ),
        (
            "the document",
            app.client.get(format!("{}/openapi.json", app.address)),
            StatusCode::OK,
            "public, max-age=3600",
            None,
        ),
        (
            "the docs UI",
            app.client.get(format!("{}/docs/", app.address)),
            StatusCode::OK,
            "public, max-age=3600",
            None,
        ),
        (
            "a write",
            app.client
                .post(format!("{}/v1/topics", app.address))
                .bearer_auth(&token)
                .json(&json!({"id": "cached", "names": {"en": "Cached"}})),
            StatusCode::CREATED,
            "no-store",
            None,
        ),
        (
            "a refused write",
            app.client
                .post(format!("{}/v1/topics", app.address))
                .json(&json!({"id": "uncached", "names": {"en": "No"}})),
            StatusCode::UNAUTHORIZED,
            "no-store",
            Some("unauthorized"),
        ),
    ];
    for (what, request, status, expected, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{what}");
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some(expected),
            "{what}"
        );
        // A refusal is the problem it says it is; every other answer is no problem at all.
        match code {
            Some(code) => {
                problem(response, status, code).await;
            }
            None => assert_ne!(
                response.headers().get("content-type").map(|v| v.as_bytes()),
                Some(&b"application/problem+json"[..]),
                "{what}"
            ),
        }
    }
}

/// 22: a write that finds the database held by another writer (as `claimtrail import` holds it)
/// for longer than it waits is a 503 `database_busy` with `Retry-After`, changes nothing, and
/// the next write works once the other writer is done.
#[tokio::test]
async fn a_write_blocked_by_another_writer_is_a_503_to_retry() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let db = app.db().await;
    let mut other = db.acquire().await.unwrap();
    sqlx::query("begin immediate")
        .execute(&mut *other)
        .await
        .unwrap();
    let topic = json!({"id": "busy-topic", "names": {"en": "Busy"}});
    let response = post(&app, &token, "/v1/topics", &topic).await;
    let retry_after = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(retry_after.parse::<u64>().unwrap() > 0, "{retry_after}");
    problem(response, StatusCode::SERVICE_UNAVAILABLE, "database_busy").await;
    sqlx::query("rollback").execute(&mut *other).await.unwrap();
    drop(other);
    db.close().await;
    problem(
        app.get("/v1/topics/busy-topic").await,
        StatusCode::NOT_FOUND,
        "topic_not_found",
    )
    .await;
    let response = post(&app, &token, "/v1/topics", &topic).await;
    assert_eq!(response.status(), StatusCode::CREATED);
}
