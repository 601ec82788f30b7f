//! An ordinary browser beside the app: Debian's Chromium, headless, driven
//! through its own WebDriver (chromedriver) — for the pages the service
//! serves to a plain browser, such as the trainer's.

use crate::E2eResult;
use fantoccini::{Client, ClientBuilder};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium under chromedriver; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium through it.
    pub async fn open(shots: PathBuf) -> E2eResult<Browser> {
        let port = crate::free_port()?;
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("chromedriver (Debian's chromium-driver) does not start: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver never listened".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--lang=ja"],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await?;
        std::fs::create_dir_all(&shots)?;
        Ok(Browser { client, driver, shots })
    }

    /// Waits until `script` (a JavaScript expression) is true in the page.
    pub async fn wait_true(&self, script: &str) -> E2eResult<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.client.execute(&format!("return !!({script})"), vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = self.shot("browser-failure").await;
                let page = self.client.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
                return Err(format!("never true in the browser: {script}; page shows: {page}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Saves a screenshot of the page as `<name>.png` and checks the page
    /// against the WCAG A/AA rules (axe-core) and for its layout, as the
    /// app's window is.
    pub async fn shot(&self, name: &str) -> E2eResult<PathBuf> {
        crate::note_shot(name);
        let png = self.client.screenshot().await?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        if !crate::is_failure_shot(name) {
            crate::axe::check(&self.client, &self.shots, name).await?;
            crate::layout::check(&self.client, &self.shots, name).await?;
        }
        Ok(path)
    }

    pub async fn close(mut self) -> E2eResult<()> {
        self.client.clone().close().await?;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
