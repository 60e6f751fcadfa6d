//! `labex-jobseekers`: the job-seeker registry as its own process, against
//! the store named by `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_jobseekers::JobSeekersService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("jobseekers", |context| async move {
        JobSeekersService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-jobseekers: {error}");
            ExitCode::FAILURE
        }
    }
}
