use labex_domain::employer::EmployerError;
use labex_domain::employer::{Employer, EmployerCommand};

use crate::fixtures::*;
use crate::support::given;

#[test]
fn an_employer_is_registered_with_its_credit_code() {
    let employer = given::<Employer>([])
        .when(EmployerCommand::Register(register_employer()))
        .then([employer_registered()]);
    assert_eq!(employer.id, employer_id());
    assert_eq!(employer.credit_code.as_str(), "91350100M000100Y43");
    assert_eq!(employer.region, division("410105"));
}

#[test]
fn registering_an_existing_employer_is_refused() {
    given::<Employer>([employer_registered()])
        .when(EmployerCommand::Register(register_employer()))
        .then_error(EmployerError::AlreadyExists);
}
