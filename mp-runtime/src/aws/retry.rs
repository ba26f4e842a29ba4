//! Retrying start-up calls until the start-up deadline, with the crate's jittered backoff.

use crate::aws::backoff::Backoff;
use crate::failure::Failure;
use std::time::Duration;
use tokio::time::Instant;

const BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(100),
    cap: Duration::from_secs(3),
};

/// Why one attempt failed; `F` is what a final failure carries (start-up's `Failure`, or
/// what a contract call reports to the seller).
#[derive(Debug)]
pub(crate) enum AttemptError<F = Failure> {
    /// Worth another try (throttling, 5xx, network): the text is kept for the final report.
    Transient(String),
    /// Stop at once with this failure.
    Final(F),
}

/// Why the retry loop stopped without a result.
#[derive(Debug)]
pub(crate) enum Stopped<F = Failure> {
    Final(F),
    /// The deadline passed; `last` says what the last attempt ran into.
    GaveUp {
        attempts: u32,
        last: String,
    },
}

/// Runs `attempt` until it succeeds, fails finally, or `deadline` passes (an attempt still in
/// flight at the deadline is abandoned).
pub(crate) async fn until_deadline<T, E, F, Fut>(
    deadline: Instant,
    mut attempt: F,
) -> Result<T, Stopped<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AttemptError<E>>>,
{
    let mut attempts = 0;
    let mut last = String::from("no attempt finished before the deadline");
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Stopped::GaveUp { attempts, last });
        }
        attempts += 1;
        match tokio::time::timeout(remaining, attempt()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(AttemptError::Final(failure))) => return Err(Stopped::Final(failure)),
            Ok(Err(AttemptError::Transient(why))) => last = why,
            Err(_) => {
                last = "no answer before the deadline".to_owned();
                return Err(Stopped::GaveUp { attempts, last });
            }
        }
        let wait = BACKOFF.wait(attempts - 1);
        let remaining = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(wait.min(remaining)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit;
    use std::cell::Cell;

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn transient_errors_are_retried_until_success() {
        let calls = Cell::new(0);
        let result = run(until_deadline(
            Instant::now() + Duration::from_secs(60),
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n < 4 {
                        Err(AttemptError::<Failure>::Transient(format!("throttled {n}")))
                    } else {
                        Ok(n)
                    }
                }
            },
        ));
        assert_eq!(result.unwrap(), 4);
    }

    #[test]
    fn final_error_stops_at_once() {
        let calls = Cell::new(0);
        let result: Result<(), _> = run(until_deadline(
            Instant::now() + Duration::from_secs(60),
            || {
                calls.set(calls.get() + 1);
                async { Err(AttemptError::Final(Failure::new(exit::NOT_ENTITLED, "no"))) }
            },
        ));
        assert!(matches!(result, Err(Stopped::Final(f)) if f.code == exit::NOT_ENTITLED));
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn gives_up_at_the_deadline_with_the_last_error() {
        // Long enough for the first backoff (100 ms, jittered) and a second attempt.
        let result: Result<(), _> = run(until_deadline(
            Instant::now() + Duration::from_millis(800),
            || async { Err(AttemptError::<Failure>::Transient("HTTP 503".into())) },
        ));
        match result {
            Err(Stopped::GaveUp { attempts, last }) => {
                assert!(attempts > 1);
                assert_eq!(last, "HTTP 503");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_hung_attempt_is_abandoned_at_the_deadline() {
        let result: Result<(), _> = run(until_deadline(
            Instant::now() + Duration::from_millis(200),
            std::future::pending::<Result<(), AttemptError>>,
        ));
        assert!(matches!(result, Err(Stopped::GaveUp { attempts: 1, .. })));
    }
}
