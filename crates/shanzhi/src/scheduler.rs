//! The scheduler every `serve` runs beside the server: each tick it asks for the run of every job that is due
//! by the injected clock. Any number of servers may tick; the store lets one of them do each run. It stops
//! when the server is told to stop (a run already under way finishes first: it is one transaction).

use shanzhi_app::App;
use shanzhi_domain::jobs::Job;
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How often the scheduler looks: a day's first sweep follows China midnight by at most this.
pub const TICK: Duration = Duration::from_secs(30);
/// How long a job that failed waits before it is tried again (the database may be away).
pub const RETRY: Duration = Duration::from_secs(300);

/// Runs until `stop` completes.
pub async fn run(app: App, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The run key each job was last done (here or elsewhere) for, and when a failed one may be tried again.
    let mut done: HashMap<Job, String> = HashMap::new();
    let mut retry_at: HashMap<Job, Instant> = HashMap::new();
    loop {
        tokio::select! {
            biased;
            () = &mut stop => break,
            _ = tick.tick() => {}
        }
        for job in Job::ALL {
            let key = shanzhi_app::jobs::run_key(&app, job, app.clock.now());
            if done.get(&job) == Some(&key) || retry_at.get(&job).is_some_and(|t| Instant::now() < *t) {
                continue;
            }
            match shanzhi_app::jobs::run(&app, job).await {
                Ok((key, Some(run))) => {
                    tracing::info!(job = job.code(), run_key = %key, outcome = %run.outcome, "job done");
                    done.insert(job, key);
                }
                Ok((key, None)) => {
                    tracing::debug!(job = job.code(), run_key = %key, "job already done by a server");
                    done.insert(job, key);
                }
                Err(e) => {
                    tracing::warn!(job = job.code(), run_key = %key, error = ?e, "job failed; it is tried again later");
                    retry_at.insert(job, Instant::now() + RETRY);
                }
            }
        }
    }
}
