//! `labex-ventures`: entrepreneurship — the project library, one-stop cases and
//! guaranteed loans — as its own process, against the store named by `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_ventures::VenturesService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("ventures", |context| async move {
        VenturesService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-ventures: {error}");
            ExitCode::FAILURE
        }
    }
}
