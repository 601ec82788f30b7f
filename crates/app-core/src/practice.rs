//! 練習モード: the onboarding service, started inside the app on loopback
//! with a demo office, so staff can rehearse the whole of Step 3.

use crate::paths::AppPaths;
use crate::{AppError, AppResult};
pub use kaigo_service::demo::P12_PASSWORD;
use kaigo_service::demo::{self, DemoFiles};
use kaigo_service::{Application, RunningService};
use serde::Serialize;

pub struct PracticeService {
    pub service: RunningService,
    pub files: DemoFiles,
}

/// What the practice screen tells staff to type.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeInfo {
    pub electronic_billing_id: &'static str,
    pub password: &'static str,
    pub security_code: &'static str,
    pub office_email: &'static str,
}

pub const INFO: PracticeInfo = PracticeInfo {
    electronic_billing_id: demo::ELECTRONIC_BILLING_ID,
    password: demo::PASSWORD,
    security_code: demo::SECURITY_CODE,
    office_email: demo::OFFICE_EMAIL,
};

impl PracticeService {
    pub async fn start(paths: &AppPaths) -> AppResult<PracticeService> {
        let started = std::time::Instant::now();
        let files = demo::prepare(&paths.practice()).await.map_err(AppError::internal)?;
        let config = demo::config(&files, ([127, 0, 0, 1], 0).into()).map_err(AppError::internal)?;
        let app = Application::build(config, demo::clock()).await.map_err(AppError::internal)?;
        let service = app.spawn();
        tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "practice service started");
        Ok(PracticeService { service, files })
    }

    pub fn url(&self) -> String {
        self.service.url()
    }

    pub fn ca_pem(&self) -> AppResult<String> {
        Ok(std::fs::read_to_string(&self.files.ca_cert)?)
    }
}
