//! Revoking bearer tokens before they expire: `POST /v1/tokens/revocations`
//! (the province) writes a `TokenRevoked` event, and every process that
//! checks tokens follows those events into its [`RevokedTokens`], so a
//! revoked token is refused everywhere within the time a subscription
//! takes to deliver (at once in the process that took the request).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use kurrentdb::{Client, Position};
use labex_app::{Actor, Error, InputError, Role, Validator};
use labex_domain::Event;
use labex_domain::tokens::{RevokeToken, TokenEvent, TokenId, TokenRevocation};
use labex_domain::value::Note;
use labex_eventsourcing::{
    Consumer, EventFilter, ProjectionError, ProjectionRunner, Repository, RunnerOptions,
    StoredEvent,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, RevokedTokens};
use crate::error::ApiError;

/// The API document of the token revocations.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(revoke),
    components(schemas(RevocationBody, RevocationView)),
    tags((name = "tokens", description = "bearer tokens revoked before they expire"))
)]
pub(crate) struct TokensApiDoc;

/// `POST /v1/tokens/revocations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationBody {
    /// The token's id (its `jti` claim; `labex token` prints it).
    #[schema(format = "uuid")]
    pub jti: String,
    /// When the token expires anyway (RFC 3339), in the future (422
    /// time.invalid otherwise); after it the revocation is forgotten. The
    /// longest lifetime any token may have from now when absent.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// Why it is revoked.
    #[serde(default)]
    #[schema(value_type = Option<crate::NoteText>)]
    pub reason: Option<String>,
}

/// A revocation as answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevocationView {
    /// The revoked token's id.
    pub jti: String,
    /// Until when it is refused (afterwards it has expired anyway).
    pub expires_at: String,
}

/// The revocation use case and the revoked tokens of this process.
pub(crate) struct Revocations {
    repository: Repository,
    revoked: RevokedTokens,
    longest_lifetime: chrono::TimeDelta,
}

impl Revocations {
    pub(crate) fn new(client: Client, revoked: RevokedTokens, longest_days: u64) -> Self {
        Self {
            repository: Repository::new(client),
            revoked,
            longest_lifetime: chrono::TimeDelta::days(i64::try_from(longest_days).unwrap_or(3650)),
        }
    }

    /// Revokes a token: the province only. Revoking it again changes
    /// nothing.
    pub(crate) async fn revoke(
        &self,
        actor: &Actor,
        command: RevokeToken,
    ) -> labex_app::Result<TokenRevocation> {
        if actor.role != Role::Province {
            return Err(Error::forbidden(
                "Only the province revokes tokens; ask the provincial administrator.",
            ));
        }
        let context = actor.event_context(&actor.office);
        let done = self
            .repository
            .execute::<TokenRevocation>(command.token_id, command, &context)
            .await?;
        let revocation = labex_app::Saved::executed(done)?.state;
        self.revoked.revoke(
            &revocation.token_id.to_string(),
            u64::try_from(revocation.expires_at.timestamp()).unwrap_or(0),
        );
        Ok(revocation)
    }
}

impl RevocationBody {
    fn parse(&self, longest: chrono::TimeDelta) -> labex_app::Result<RevokeToken> {
        let mut fields = Validator::new();
        let token_id = fields.check("jti", TokenId::parse(&self.jti));
        let expires_at = match self.expires_at.as_deref() {
            None => Some(Utc::now() + longest),
            Some(text) => fields.instant("expires_at", text),
        };
        let reason = match self.reason.as_deref() {
            None => Some(None),
            Some(text) => fields.check("reason", Note::parse(text)).map(Some),
        };
        if let Some(expires_at) = expires_at
            && expires_at <= Utc::now()
        {
            fields.fail(
                "expires_at",
                InputError::TimeInvalid,
                "is past: the token has expired and is refused anyway",
            );
        }
        fields.finish(|| {
            Some(RevokeToken {
                token_id: token_id?,
                expires_at: expires_at?,
                reason: reason?,
            })
        })
    }
}

/// Revoke a bearer token before it expires (the province).
#[utoipa::path(
    post,
    path = "/v1/tokens/revocations",
    tag = "tokens",
    request_body = RevocationBody,
    responses(
        (status = 201, description = "revoked (or already revoked); refused everywhere from now on", body = RevocationView),
        (status = 401, description = "no or bad token", body = crate::Problem),
        (status = 403, description = "not the province", body = crate::Problem),
        (status = 422, description = "invalid fields", body = crate::Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn revoke(
    revocations: web::Data<Revocations>,
    caller: Caller,
    body: crate::Json<RevocationBody>,
) -> Result<HttpResponse, ApiError> {
    let command = body.parse(revocations.longest_lifetime)?;
    let revocation = revocations.revoke(&caller, command).await?;
    Ok(HttpResponse::Created().json(RevocationView {
        jti: revocation.token_id.to_string(),
        expires_at: labex_domain::rfc3339_millis(revocation.expires_at),
    }))
}

/// Follows every `TokenRevoked` into the process's [`RevokedTokens`], from
/// the start of the store at every start (revocations are few, and expired
/// ones are forgotten).
pub(crate) struct RevocationFollower {
    revoked: RevokedTokens,
}

/// The follower's name (readiness and lag).
pub(crate) const FOLLOWER: &str = "token-revocations";

impl RevocationFollower {
    pub(crate) fn start(client: Client, revoked: RevokedTokens) -> ProjectionRunner {
        ProjectionRunner::spawn(client, Self { revoked }, RunnerOptions::default())
    }
}

impl Consumer for RevocationFollower {
    fn name(&self) -> &str {
        FOLLOWER
    }

    fn filter(&self) -> EventFilter {
        EventFilter::stream_prefixes([format!("{}-", TokenId::STREAM_CATEGORY)])
    }

    async fn checkpoint(&mut self) -> Result<Option<Position>, ProjectionError> {
        Ok(None)
    }

    async fn handle(
        &mut self,
        events: Vec<StoredEvent>,
        _checkpoint: Position,
    ) -> Result<(), ProjectionError> {
        for event in events {
            if let Event::Token(TokenEvent::Revoked(revoked)) = event.event {
                let expires: DateTime<Utc> = revoked.expires_at;
                self.revoked.revoke(
                    &revoked.token_id.to_string(),
                    u64::try_from(expires.timestamp()).unwrap_or(0),
                );
            }
        }
        Ok(())
    }
}
