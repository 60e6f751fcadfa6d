//! Bearer tokens (JWT, HS256) and who may do what: the [`Caller`]
//! extractor, the office-scope checks, and the [`TokenIssuer`].

use std::future::{Ready, ready};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use labex_app::{Actor, Role};
use labex_domain::EmployerId;
use labex_domain::value::DivisionCode;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The claims of a Labex token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Who: a user id.
    pub sub: String,
    /// What they are.
    pub role: Role,
    /// Their office (administrative division code).
    pub office: DivisionCode,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// The employer an employer acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_id: Option<EmployerId>,
}

/// Verifies tokens; put it in the app data as `web::Data<TokenVerifier>`.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
}

impl TokenVerifier {
    /// A verifier for tokens signed with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            key: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// The claims of a valid token.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| {
                tracing::debug!(error = %error, "bearer token refused");
                match error.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::unauthenticated(
                        "The bearer token has expired; sign in again for a new one.",
                    ),
                    _ => ApiError::unauthenticated(
                        "The bearer token is not valid; send a token issued by this service.",
                    ),
                }
            })
    }
}

/// Mints tokens: the admin token printed at first start, and tests'.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
}

impl TokenIssuer {
    /// An issuer signing with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: EncodingKey::from_secret(secret),
        }
    }

    /// Signs the claims as given.
    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.key)
            .expect("HS256 signing of serialisable claims cannot fail")
    }

    /// A token valid for `lifetime` from now.
    pub fn issue(
        &self,
        sub: &str,
        role: Role,
        office: DivisionCode,
        employer_id: Option<EmployerId>,
        lifetime: Duration,
    ) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.sign(&Claims {
            sub: sub.to_owned(),
            role,
            office,
            exp: (now + lifetime).as_secs(),
            employer_id,
        })
    }
}

/// The authenticated caller of a request; extracting it answers 401 for a
/// missing, malformed, badly signed or expired token. It derefs to the
/// [`Actor`] a use case takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    claims: Claims,
    actor: Actor,
}

impl Caller {
    /// From verified claims.
    pub fn new(claims: Claims) -> Self {
        let actor = Actor {
            subject: claims.sub.clone(),
            role: claims.role,
            office: claims.office.clone(),
            employer_id: claims.employer_id,
            correlation_id: crate::request_id::request_correlation_id(),
        };
        Self { claims, actor }
    }

    /// The actor a use case acts for.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The user id.
    pub fn subject(&self) -> &str {
        &self.claims.sub
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.claims.role
    }

    /// The office.
    pub fn office(&self) -> &DivisionCode {
        &self.claims.office
    }

    /// The employer an employer acts for.
    pub fn employer_id(&self) -> Option<EmployerId> {
        self.claims.employer_id
    }

    /// The claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

impl std::ops::Deref for Caller {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

fn authenticate(request: &HttpRequest) -> Result<Option<Caller>, ApiError> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|text| {
            let (scheme, token) = text.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or_else(|| {
            ApiError::unauthenticated(
                "The Authorization header must be \"Bearer <token>\"; send a bearer token.",
            )
        })?;
    let verifier = request
        .app_data::<web::Data<TokenVerifier>>()
        .ok_or_else(|| ApiError::internal(&"no token verifier in the app data"))?;
    verifier
        .verify(token)
        .map(|claims| Some(Caller::new(claims)))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(request).and_then(|caller| {
            caller.ok_or_else(|| {
                ApiError::unauthenticated(
                    "This request needs a bearer token; send an Authorization: Bearer header.",
                )
            })
        }))
    }
}

/// The caller of a public endpoint, if a token was sent (a bad one is
/// still refused with 401).
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(authenticate(request).map(MaybeCaller))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> DivisionCode {
        DivisionCode::parse(text).unwrap()
    }

    #[test]
    fn issued_tokens_verify_and_foreign_ones_do_not() {
        let token = TokenIssuer::new(b"secret").issue(
            "admin",
            Role::Province,
            code("410000"),
            None,
            Duration::from_secs(60),
        );
        let claims = TokenVerifier::new(b"secret").verify(&token).unwrap();
        assert_eq!(claims.role, Role::Province);
        assert!(TokenVerifier::new(b"other").verify(&token).is_err());
    }
}
