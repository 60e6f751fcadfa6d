//! `labex-assistance`: the household register and one-to-one assistance
//! as their own process, against the store named by `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_assistance::AssistanceService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("assistance", |context| async move {
        AssistanceService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-assistance: {error}");
            ExitCode::FAILURE
        }
    }
}
