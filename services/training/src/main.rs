//! `labex-training`: vocational training as its own process, against the
//! store named by `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_training::TrainingService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("training", |context| async move {
        TrainingService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-training: {error}");
            ExitCode::FAILURE
        }
    }
}
