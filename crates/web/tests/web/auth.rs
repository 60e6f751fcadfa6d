//! Bearer tokens and office scoping, answered with exact problems.

use std::time::Duration;

use actix_web::test::TestRequest;
use labex_domain::EmployerId;
use labex_web::{Claims, Role, TokenIssuer};
use serde_json::json;

use crate::helpers::{SECRET, call, office, token};

fn put_in_office(code: &str, token: Option<&str>) -> TestRequest {
    let request = TestRequest::put()
        .uri(&format!("/v1/offices/{code}/things"))
        .insert_header(("x-request-id", "req-2"));
    match token {
        Some(token) => request.insert_header(("authorization", format!("Bearer {token}"))),
        None => request,
    }
}

#[actix_web::test]
async fn no_token_is_a_401_problem_with_www_authenticate() {
    let (status, headers, body) = call(put_in_office("410105", None)).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/unauthenticated",
            "title": "Authentication required",
            "status": 401,
            "detail": "This request needs a bearer token; send an Authorization: Bearer header.",
            "instance": "req-2",
        })
    );
}

#[actix_web::test]
async fn an_expired_token_is_a_401_problem_saying_so() {
    let expired = TokenIssuer::new(SECRET).sign(&Claims {
        sub: "user-1".to_owned(),
        role: Role::Counsellor,
        office: office("410100"),
        exp: 1_000_000_000,
        iat: 999_999_000,
        jti: "0190f5a8-3c1e-7d2a-9b4f-0123456789ab".to_owned(),
        employer_id: None,
    });
    let (status, headers, body) = call(put_in_office("410105", Some(&expired))).await;
    assert_eq!(status, 401);
    assert_eq!(headers.get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(
        body["detail"],
        "The bearer token has expired; sign in again for a new one."
    );
}

#[actix_web::test]
async fn a_token_signed_with_another_secret_is_a_401_problem() {
    let forged = TokenIssuer::new(b"not-the-secret").issue(
        "user-1",
        Role::Province,
        office("410000"),
        None,
        Duration::from_secs(60),
    );
    let (status, _, body) = call(put_in_office("410105", Some(&forged))).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["detail"],
        "The bearer token is not valid; send a token issued by this service."
    );
}

fn claims(iat: u64, exp: u64) -> Claims {
    Claims {
        sub: "user-1".to_owned(),
        role: Role::Counsellor,
        office: office("410100"),
        exp,
        iat,
        jti: "0190f5a8-3c1e-7d2a-9b4f-0123456789ac".to_owned(),
        employer_id: None,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[actix_web::test]
async fn a_token_living_longer_than_its_role_allows_is_a_401_problem() {
    let long = TokenIssuer::new(SECRET).sign(&claims(now(), now() + 31 * 86_400));
    let (status, _, body) = call(put_in_office("410105", Some(&long))).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["detail"],
        "The bearer token lives longer than a counsellor token may (30 days); ask for a token of a shorter lifetime."
    );
    let future = TokenIssuer::new(SECRET).sign(&claims(now() + 3_600, now() + 7_200));
    let (status, _, body) = call(put_in_office("410105", Some(&future))).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["detail"],
        "The bearer token is issued in the future; check the issuer's clock and ask for a new token."
    );
}

#[actix_web::test]
async fn a_token_without_an_id_or_issue_time_is_a_401_problem() {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    // Signed properly, but without iat and jti (as tokens were before).
    let header = engine.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let payload = engine.encode(
        json!({"sub": "user-1", "role": "counsellor", "office": "410100", "exp": now() + 60})
            .to_string(),
    );
    let signature = {
        use ring::hmac;
        let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET);
        engine.encode(hmac::sign(&key, format!("{header}.{payload}").as_bytes()))
    };
    let old = format!("{header}.{payload}.{signature}");
    let (status, _, _) = call(put_in_office("410105", Some(&old))).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn a_counsellor_acts_within_the_city_office_scope() {
    let token = token(Role::Counsellor, "410100", None);
    let (status, _, _) = call(put_in_office("410105", Some(&token))).await;
    assert_eq!(status, 204);
}

#[actix_web::test]
async fn another_office_is_a_403_problem() {
    let token = token(Role::Counsellor, "410100", None);
    let (status, _, body) = call(put_in_office("420105", Some(&token))).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/forbidden",
            "title": "Forbidden",
            "status": 403,
            "detail": "Office 410100 may not act in division 420105; ask an office whose scope covers it.",
            "instance": "req-2",
        })
    );
}

#[actix_web::test]
async fn an_employer_touching_another_employer_is_a_403_problem() {
    let own = EmployerId::generate();
    let token = token(Role::Employer, "410105", Some(own));
    let request = |employer: EmployerId| {
        TestRequest::post()
            .uri(&format!("/v1/employers/{employer}/vacancies"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("x-request-id", "req-2"))
    };
    let (status, _, _) = call(request(own)).await;
    assert_eq!(status, 204);
    let (status, _, body) = call(request(EmployerId::generate())).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({
            "type": "https://labex.example/problems/forbidden",
            "title": "Forbidden",
            "status": 403,
            "detail": "An employer may act only for itself; use a token issued to this employer.",
            "instance": "req-2",
        })
    );
}
