//! Value objects: every code, number and text that crosses the HTTP edge is
//! parsed into one of these, once, and is valid from then on. Each has one
//! `parse` constructor with a typed error, and (de)serialises through it.

mod category;
mod credit_code;
mod division_code;
mod divisions;
mod education;
mod mobile_phone;
mod money;
mod number;
mod occupations;
mod resident_id;
mod salary;
mod text;

pub use category::{JobSeekerCategory, JobSeekerCategoryError};
pub use credit_code::{CreditCode, CreditCodeError};
pub use division_code::{DivisionCode, DivisionCodeError, DivisionLevel};
pub use divisions::{Division, Divisions};
pub use education::{Education, EducationError};
pub use mobile_phone::{MobilePhone, MobilePhoneError};
pub use money::{Fen, FenError};
pub use number::{ExperienceYears, GraduationYear, Headcount, OutOfRange};
pub use occupations::{
    Occupation, OccupationCode, OccupationCodeError, OccupationLevel, Occupations,
};
pub use resident_id::{ResidentId, ResidentIdError, Sex};
pub use salary::{SALARY_CAP_YUAN, SalaryRange, SalaryRangeError};
pub use text::{Description, Label, Note, OrganisationName, PersonName, TextError, Title};
