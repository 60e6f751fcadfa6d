//! Bearer tokens (JWT, HS256): the [`Caller`] extractor, the
//! [`TokenVerifier`] (signature, expiry, the longest lifetime a role's token
//! may have, revocations) and the [`TokenIssuer`].

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::sync::{Arc, RwLock};
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
    /// Issue time, seconds since the Unix epoch.
    pub iat: u64,
    /// The token's id (a UUID), by which it can be revoked.
    pub jti: String,
    /// The employer an employer acts for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employer_id: Option<EmployerId>,
}

/// The longest lifetime (from `iat` to `exp`) a token of each role may
/// have: data with defaults, set by `LABEX_TOKEN_MAX_DAYS`
/// (`counsellor=7,province=30`, days; unnamed roles keep their default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPolicy {
    max_days: [u64; 6],
}

impl Default for TokenPolicy {
    /// A job seeker's or an employer's token: 30 days; office staff's
    /// and organisers': 30 days; the province's: 30 days (the first
    /// start's administrator token is one).
    fn default() -> Self {
        Self {
            max_days: [30, 30, 30, 30, 30, 30],
        }
    }
}

/// A `LABEX_TOKEN_MAX_DAYS` that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("LABEX_TOKEN_MAX_DAYS must read like counsellor=7,province=30 (roles and whole days): {0}")]
pub struct TokenPolicyError(String);

impl TokenPolicy {
    fn slot(role: Role) -> usize {
        match role {
            Role::Jobseeker => 0,
            Role::Employer => 1,
            Role::Counsellor => 2,
            Role::OfficeAdmin => 3,
            Role::Province => 4,
            Role::Organiser => 5,
        }
    }

    /// The longest lifetime of a token of `role`.
    pub fn max_lifetime(&self, role: Role) -> Duration {
        Duration::from_secs(self.max_days[Self::slot(role)] * 24 * 3600)
    }

    /// The longest lifetime of any role's token, in days.
    pub fn longest_days(&self) -> u64 {
        self.max_days.iter().copied().max().unwrap_or(30)
    }

    /// The defaults with `text` (`counsellor=7,province=30`) applied.
    pub fn parse(text: &str) -> Result<Self, TokenPolicyError> {
        let mut policy = Self::default();
        for part in text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let (role, days) = part
                .split_once('=')
                .ok_or_else(|| TokenPolicyError(part.to_owned()))?;
            let role = Role::parse(role).ok_or_else(|| TokenPolicyError(part.to_owned()))?;
            let days: u64 = days
                .trim()
                .parse()
                .ok()
                .filter(|days| (1..=3650).contains(days))
                .ok_or_else(|| TokenPolicyError(part.to_owned()))?;
            policy.max_days[Self::slot(role)] = days;
        }
        Ok(policy)
    }

    /// `LABEX_TOKEN_MAX_DAYS`, or the defaults.
    pub fn from_env() -> Result<Self, TokenPolicyError> {
        std::env::var("LABEX_TOKEN_MAX_DAYS")
            .ok()
            .filter(|text| !text.trim().is_empty())
            .map_or_else(|| Ok(Self::default()), |text| Self::parse(&text))
    }
}

/// Verifies tokens; put it in the app data as `web::Data<TokenVerifier>`.
#[derive(Clone)]
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    policy: TokenPolicy,
    revoked: RevokedTokens,
}

/// How far a token's times may be off this machine's clock.
const LEEWAY_SECONDS: u64 = 5;

impl TokenVerifier {
    /// A verifier for tokens signed with `secret`, with the default policy
    /// and no revocations.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "sub", "iat", "jti"]);
        Self {
            key: DecodingKey::from_secret(secret),
            validation,
            policy: TokenPolicy::default(),
            revoked: RevokedTokens::none(),
        }
    }

    /// With `policy` for the lifetimes.
    pub fn with_policy(mut self, policy: TokenPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Refusing the tokens in `revoked` (shared with what follows the
    /// revocations).
    pub fn with_revocations(mut self, revoked: RevokedTokens) -> Self {
        self.revoked = revoked;
        self
    }

    /// The claims of a valid token: well signed, not expired, issued in the
    /// past, no longer-lived than its role allows, not revoked.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
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
            })?;
        let now = unix_now().as_secs();
        if claims.iat > now + LEEWAY_SECONDS {
            return Err(ApiError::unauthenticated(
                "The bearer token is issued in the future; check the issuer's clock and ask for a new token.",
            ));
        }
        let lifetime = claims.exp.saturating_sub(claims.iat);
        if lifetime > self.policy.max_lifetime(claims.role).as_secs() + LEEWAY_SECONDS {
            return Err(ApiError::unauthenticated(format!(
                "The bearer token lives longer than a {} token may ({} days); ask for a token of a shorter lifetime.",
                claims.role.as_str(),
                self.policy.max_lifetime(claims.role).as_secs() / 86_400
            )));
        }
        if !self.revoked.is_known() {
            return Err(ApiError::store_unavailable(
                &"the token revocations have not been read from the event store yet",
            ));
        }
        if self.revoked.contains(&claims.jti) {
            return Err(ApiError::unauthenticated(
                "The bearer token has been revoked; sign in again for a new one.",
            ));
        }
        Ok(claims)
    }
}

/// The ids of revoked tokens that have not expired yet: shared by the
/// verifiers of a process and what follows the revocations in the store.
#[derive(Clone, Default)]
pub struct RevokedTokens {
    /// Token id → its expiry (seconds since the Unix epoch).
    ids: Arc<RwLock<HashMap<String, u64>>>,
    /// Whether every revocation in the store is known yet.
    known: Arc<std::sync::atomic::AtomicBool>,
}

impl RevokedTokens {
    /// Revocations that are all known from the start (none kept anywhere:
    /// tests, tools).
    pub fn none() -> Self {
        let revoked = Self::default();
        revoked.mark_known();
        revoked
    }

    /// Every revocation in the store has been read.
    pub fn mark_known(&self) {
        self.known.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether every revocation in the store has been read.
    pub fn is_known(&self) -> bool {
        self.known.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Refuses the token `jti` until it expires at `expires` (seconds since
    /// the Unix epoch); expired ones are forgotten on the way.
    pub fn revoke(&self, jti: &str, expires: u64) {
        let now = unix_now().as_secs();
        let mut ids = self
            .ids
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        ids.retain(|_, expiry| *expiry + LEEWAY_SECONDS >= now);
        if expires + LEEWAY_SECONDS >= now {
            ids.insert(jti.to_owned(), expires);
        }
    }

    /// Whether `jti` is revoked.
    pub fn contains(&self, jti: &str) -> bool {
        self.ids
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains_key(jti)
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
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
        let now = unix_now();
        self.sign(&Claims {
            sub: sub.to_owned(),
            role,
            office,
            exp: (now + lifetime).as_secs(),
            iat: now.as_secs(),
            jti: uuid::Uuid::now_v7().to_string(),
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
    let claims = verifier.verify(token)?;
    let span = tracing::Span::current();
    span.record("role", claims.role.as_str());
    span.record("office", claims.office.as_str());
    Ok(Some(Caller::new(claims)))
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
    fn lifetimes_per_role_are_data_with_defaults() {
        let policy = TokenPolicy::parse("counsellor=7, province=90").unwrap();
        assert_eq!(policy.max_lifetime(Role::Counsellor).as_secs(), 7 * 86_400);
        assert_eq!(policy.max_lifetime(Role::Province).as_secs(), 90 * 86_400);
        assert_eq!(policy.max_lifetime(Role::Employer).as_secs(), 30 * 86_400);
        assert_eq!(policy.longest_days(), 90);
        assert!(TokenPolicy::parse("janitor=7").is_err());
        assert!(TokenPolicy::parse("counsellor=0").is_err());
        assert!(TokenPolicy::parse("counsellor").is_err());
    }

    #[test]
    fn a_revoked_token_is_refused_until_it_expires_anyway() {
        let token = TokenIssuer::new(b"secret").issue(
            "wang",
            Role::Counsellor,
            code("410105"),
            None,
            Duration::from_secs(60),
        );
        let revoked = RevokedTokens::none();
        let verifier = TokenVerifier::new(b"secret").with_revocations(revoked.clone());
        let claims = verifier.verify(&token).unwrap();
        revoked.revoke(&claims.jti, claims.exp);
        assert!(verifier.verify(&token).is_err());
        revoked.revoke("long-gone", 1_000);
        assert!(!revoked.contains("long-gone"), "expired ones are forgotten");
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
