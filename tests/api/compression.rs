use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use crate::support::{TestApp, problem, spawn_app, token};

/// GETs `path` with the given `Accept-Encoding` (and `If-None-Match`, if any). reqwest is built
/// without its decoders, so the body arrives as the server sent it.
async fn get_coded(
    app: &TestApp,
    path: &str,
    accept_encoding: Option<&str>,
    if_none_match: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(value) = accept_encoding {
        request = request.header("accept-encoding", value);
    }
    if let Some(value) = if_none_match {
        request = request.header("if-none-match", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a whole gzip stream");
    plain
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_page_is_gzip_coded_for_clients_that_take_it_with_an_etag_of_its_own() {
    let app = spawn_app().await;
    let path = "/v1/claims?limit=50";
    let (status, plain_headers, plain) = get_coded(&app, path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&plain_headers, "content-encoding"), None);
    let plain_etag = header(&plain_headers, "etag").unwrap().to_owned();

    let (status, headers, coded) = get_coded(&app, path, Some("br;q=1, gzip;q=0.8"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(header(&headers, "vary"), Some("accept, accept-encoding"));
    assert_eq!(
        header(&headers, "content-length"),
        Some(coded.len().to_string().as_str())
    );
    assert_eq!(gunzip(&coded), plain, "the same representation, coded");
    assert!(
        coded.len() * 3 < plain.len(),
        "{} bytes coded from {}",
        coded.len(),
        plain.len()
    );
    let coded_etag = header(&headers, "etag").unwrap().to_owned();
    assert_eq!(
        coded_etag,
        format!("{}-gzip\"", plain_etag.trim_end_matches('"'))
    );

    let (status, headers, body) = get_coded(&app, path, Some("gzip"), Some(&coded_etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(header(&headers, "etag"), Some(coded_etag.as_str()));
    assert!(body.is_empty());
    // Without gzip the client would get the plain representation, which that tag does not name.
    let (status, headers, body) = get_coded(&app, path, None, Some(&coded_etag)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "etag"), Some(plain_etag.as_str()));
    assert_eq!(body, plain);
}

#[tokio::test]
async fn small_bodies_errors_and_refused_gzip_are_sent_plain() {
    let app = spawn_app().await;
    for (path, accept_encoding, status) in [
        ("/healthz", "gzip", StatusCode::OK),
        ("/v1/claims/no-such-claim", "gzip", StatusCode::NOT_FOUND),
        ("/v1/claims?limit=50", "gzip;q=0, identity", StatusCode::OK),
        (
            "/v1/claims?limit=50",
            "identity, gzip;q=0.5",
            StatusCode::OK,
        ),
        ("/v1/claims?limit=50", "br, zstd", StatusCode::OK),
    ] {
        let (got, headers, body) = get_coded(&app, path, Some(accept_encoding), None).await;
        assert_eq!(got, status, "{path} with {accept_encoding}");
        assert_eq!(
            header(&headers, "content-encoding"),
            None,
            "{path} with {accept_encoding}"
        );
        assert!(
            serde_json::from_slice::<serde_json::Value>(&body).is_ok(),
            "{path} with {accept_encoding}: plain JSON"
        );
        if status == StatusCode::NOT_FOUND {
            assert_eq!(
                header(&headers, "content-type"),
                Some("application/problem+json"),
                "{path}"
            );
            let refusal: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(refusal["code"], "claim_not_found", "{path}");
        }
    }
}

#[tokio::test]
async fn a_streamed_export_is_coded_whole_across_chunks_and_batches() {
    let app = spawn_app().await;
    // Enough claims for several fetched batches (500) and many 64 KiB chunks.
    app.insert_bulk(1600, 900).await;
    for format in ["ndjson", "csv"] {
        let path = format!("/v1/claims?format={format}");
        let (status, _, plain) = get_coded(&app, &path, None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            plain.len() > 5 * 64 * 1024,
            "{format}: {} bytes",
            plain.len()
        );
        let (status, headers, coded) = get_coded(&app, &path, Some("gzip"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
        // `format=` chooses the representation, so Accept does not.
        assert_eq!(header(&headers, "vary"), Some("accept-encoding"));
        assert_eq!(header(&headers, "etag"), None, "a stream is not hashed");
        let decoded = gunzip(&coded);
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            String::from_utf8(plain).unwrap(),
            "{format}"
        );
    }
}

#[tokio::test]
async fn if_match_takes_the_etag_of_the_coded_form_too() {
    let app = spawn_app().await;
    let token = token(&app).await;
    let path = "/v1/claims/musk-china-ai-compute";
    let (_, headers, coded) = get_coded(&app, path, Some("gzip"), None).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    let coded_etag = header(&headers, "etag").unwrap().to_owned();
    assert!(coded_etag.ends_with("-gzip\""), "{coded_etag}");
    let patch = |etag: String| {
        app.client
            .patch(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .header("if-match", etag)
            .json(&json!({"note": format!("{} bytes coded", coded.len())}))
            .send()
    };
    assert_eq!(
        patch(coded_etag.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    // The claim changed: the same tag is stale now.
    problem(
        patch(coded_etag).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
    )
    .await;
}

/// The middleware on handlers of other types, over real HTTP: text is coded, an image or a
/// body coded already is sent as it is.
#[tokio::test]
async fn only_uncoded_text_is_compressed() {
    use actix_web::{App, HttpResponse, HttpServer, middleware::from_fn, web};
    use claimtrail::api::middleware::conditional_get;

    let body = "claimtrail ".repeat(400);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let served = body.clone();
    let server = HttpServer::new(move || {
        let answer = |content_type: &'static str, coded: bool, body: String| {
            move || {
                let mut res = HttpResponse::Ok();
                res.content_type(content_type);
                if coded {
                    res.insert_header(("content-encoding", "br"));
                }
                let body = body.clone();
                async move { res.body(body) }
            }
        };
        App::new()
            .route(
                "/text",
                web::get().to(answer("text/plain", false, served.clone())),
            )
            .route(
                "/image",
                web::get().to(answer("image/png", false, served.clone())),
            )
            .route(
                "/coded",
                web::get().to(answer("text/plain", true, served.clone())),
            )
            .wrap(from_fn(conditional_get))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    for (path, coding) in [
        ("/text", Some("gzip")),
        ("/image", None),
        ("/coded", Some("br")),
    ] {
        let response = client
            .get(format!("{address}{path}"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(
            header(response.headers(), "content-encoding"),
            coding,
            "{path}"
        );
        let bytes = response.bytes().await.unwrap();
        let plain = if coding == Some("gzip") {
            gunzip(&bytes)
        } else {
            bytes.to_vec()
        };
        assert_eq!(plain, body.as_bytes(), "{path}");
    }
}
