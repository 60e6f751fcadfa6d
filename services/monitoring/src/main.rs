//! `labex-monitoring`: monitoring, early warning and the reports to the
//! province as their own process, against the store named by
//! `LABEX_EVENTSTORE`.

use std::process::ExitCode;
use std::sync::Arc;

use labex_monitoring::MonitoringService;
use labex_web::Service;

#[tokio::main]
async fn main() -> ExitCode {
    let served = labex_web::run_standalone("monitoring", |context| async move {
        MonitoringService::start(context)
            .await
            .map(|service| Arc::new(service) as Arc<dyn Service>)
    })
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("labex-monitoring: {error}");
            ExitCode::FAILURE
        }
    }
}
