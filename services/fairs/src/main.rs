//! `labex-fairs`: job fairs as their own process, against the store named
//! by `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_fairs::FairsService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("fairs", |context| async move {
        FairsService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-fairs: {error}");
            ExitCode::FAILURE
        }
    }
}
