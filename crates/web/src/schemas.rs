//! The schemas of the codes offices use, for request fields of every
//! service: a field says `#[schema(value_type = labex_web::DivisionCode)]`
//! and the document states the rule the domain's parser applies, as one
//! named component ([`value_schemas`] adds them to the merged document).
//! What a schema cannot state (a check character) is said in its
//! description.

use std::borrow::Cow;

use labex_domain::value::Divisions;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

macro_rules! value_schema {
    ($(#[$doc:meta])* $name:ident, $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

value_schema!(
    /// An administrative division code (GB/T 2260) on the list of
    /// divisions in use: a province, a prefecture-level city or a county.
    DivisionCode,
    {
        let mut codes: Vec<&str> = Divisions::get().codes().collect();
        codes.sort_unstable();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An administrative division code (GB/T 2260) in use: a province, a prefecture-level city or a county.",
            ))
            .enum_values(Some(codes))
    }
);

value_schema!(
    /// A resident identity number (GB 11643).
    ResidentIdNumber,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9]{17}[0-9X]$"))
        .description(Some(
            "A resident identity number (GB 11643): the division code of first registration, the birth date YYYYMMDD, a serial and a check character (0-9 or X) computed from the others; a wrong check character is refused (422 resident_id.check_character).",
        ))
);

value_schema!(
    /// A unified social credit code (GB 32100).
    CreditCode,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(
            "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
        ))
        .description(Some(
            "A unified social credit code (GB 32100): 18 characters of 0-9 and capitals without I, O, S, V and Z, the last a check character computed from the others; a wrong check character is refused (422 credit_code.check_character).",
        ))
);

value_schema!(
    /// A month, `YYYY-MM`.
    Month,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9]{4}-(0[1-9]|1[0-2])$"))
        .description(Some("A month written YYYY-MM, such as 2026-11."))
);

/// The value schemas by name, for the components of the merged document.
pub fn value_schemas() -> Vec<(String, RefOr<Schema>)> {
    vec![
        (DivisionCode::name().into_owned(), DivisionCode::schema()),
        (
            ResidentIdNumber::name().into_owned(),
            ResidentIdNumber::schema(),
        ),
        (CreditCode::name().into_owned(), CreditCode::schema()),
        (Month::name().into_owned(), Month::schema()),
    ]
}
